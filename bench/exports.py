"""Benchmark of the ledger export (隐患台账 .xlsx) at 5,000, 20,000 and 50,000 hazards.

Run from the repository root::

    .venv/bin/python bench/exports.py [--sizes 5000,20000,50000] [--no-baseline]

Everything runs in a fresh PostgreSQL database of the run's own (``bench_exports_<pid>``),
migrated with the hazards service's migrations and dropped at the end. Data: for each size N,
N hazards of a unit of their own (``S<N>``), generated in SQL (INSERT … SELECT over
generate_series: every field the ledger shows filled, descriptions of 40–60 characters, a
third closed, a lead department each and a co-lead for every fourth), so one export's filter
(``unit_code``) selects exactly N rows.

Each case runs in a fresh subprocess, so its peak RSS (``ru_maxrss``) is its own:

- project: what the hazards worker does for ``POST /hazards/exports`` — a job recorded by
  ``export_jobs.commands.request_export`` for the security office with the unit's filter,
  then ``run_job``: the count, the rows read as plain rows (``ledger.ledger_rows``: the sheet's
  columns and the leads, one statement, streamed) through the ledger's labels into
  ``shared.xlsx``, the file written under a scratch files directory, progress recorded
  every 1,000 rows;
- baseline: no project code — the same rows read with a psycopg server-side cursor and
  written by openpyxl's write-only mode (``ws.append``), the library's own linear path.

Target: 50,000 rows in under 5 s, with a peak RSS that does not grow with the rows. The
file's row count is checked (a wrong count is an error, exit code 1).

It is a benchmark, not a test: the exit code is 0 whether or not the target is met, and
non-zero only when something failed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

if __package__:  # imported as bench.exports
    from bench.scratch_db import create_database, drop_database
else:  # run as bench/exports.py: bench/ is sys.path[0]
    from scratch_db import create_database, drop_database

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432"
TARGET_ROWS, TARGET_SECONDS = 50_000, 5.0

SEED_SQL = """
INSERT INTO hazards (
    id, number, unit_code, cell_id, category, subcategory, lead_department, severity, status,
    description, location, found_by, found_at, responsible_person_name, deadline,
    remediation_person, measures, quick_fix, reopen_count, source, reporter_unit,
    major_unresolved_notified, closed_at, version, created_at, updated_at
)
SELECT
    md5(%(unit)s || i::text)::uuid::text,
    %(unit)s || '-' || lpad(i::text, 6, '0'),
    %(unit)s,
    'cell-' || (i %% 300),
    'fire',
    'teaching_building',
    'BWC',
    CASE WHEN i %% 10 = 0 THEN 'major' ELSE 'general' END,
    CASE WHEN i %% 3 = 0 THEN 'closed' ELSE 'in_remediation' END,
    '第' || i || '号隐患：3号楼消防通道堆放杂物，灭火器压力不足，疏散指示标志损坏需更换',
    '东侧楼梯间' || (i %% 20) || '层',
    'u-' || (i %% 97),
    timestamptz '2021-11-08 01:00+00' + i * interval '1 minute',
    '刘洋',
    date '2021-12-20',
    '陈静',
    CASE WHEN i %% 7 = 0 THEN '=清理通道杂物' ELSE '清理通道杂物并设置禁止堆放标识' END,
    true,
    i %% 3,
    'report',
    'XGC',
    false,
    CASE WHEN i %% 3 = 0 THEN timestamptz '2021-11-20 01:00+00' + i * interval '1 minute' END,
    1,
    now(),
    now()
FROM generate_series(1, %(rows)s) AS i
"""
# Every hazard's lead departments (as a new hazard gets them): 保卫处, and for every fourth a
# co-lead, 学工处 (the ledger's 牵头部门 then names both).
LEADS_SQL = """
INSERT INTO hazard_leads (hazard_id, unit_code, position)
SELECT id, 'BWC', 0 FROM hazards WHERE unit_code = %(unit)s
UNION ALL
SELECT id, 'XGC', 1 FROM hazards WHERE unit_code = %(unit)s AND right(number, 6)::int %% 4 = 0
"""


# -- the cases, each in its own process ---------------------------------------------------------
def project_case(url: str, rows: int, files_dir: str) -> dict:
    """The worker's path for one export job; returns its figures."""
    from services.hazards.export_jobs import commands
    from shared.config import load_settings
    from shared.db import make_engine, make_session_factory, unit_of_work
    from shared.principal import SECURITY_OFFICE, Principal
    from shared.timeutil import utcnow

    settings = load_settings("hazards", {"database_url": url, "files_dir": files_dir})
    factory = make_session_factory(make_engine(url))
    office = Principal(sub="bench", name="bench", roles=frozenset({SECURITY_OFFICE}), unit=None)
    started, cpu = time.perf_counter(), time.process_time()
    with unit_of_work(factory) as session:
        tz = settings.campus_timezone
        job = commands.request_export(session, office, {"unit_code": f"S{rows}"}, tz, utcnow())
        job_id = job.id
    if commands.claim_next(factory, utcnow()) != job_id:
        raise RuntimeError("the export job was not claimed")
    commands.run_job(factory, settings, job_id)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    path = commands.file_path(files_dir, job_id)
    rows_in = _rows_in(path) - 3
    return {"seconds": elapsed, "cpu": cpu, "rows": rows_in, "bytes": path.stat().st_size}


def baseline_case(url: str, rows: int, files_dir: str) -> dict:
    """openpyxl write-only over the same rows, read with a server-side cursor."""
    import psycopg
    from openpyxl import Workbook

    started, cpu = time.perf_counter(), time.process_time()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("隐患台账")
    with psycopg.connect(url.replace("+psycopg", "")) as conn, conn.cursor(name="rows") as cur:
        cur.itersize = 500
        cur.execute(
            "SELECT number, unit_code, cell_id, category, subcategory, description, severity,"
            " status, found_by, reporter_unit, found_at AT TIME ZONE 'Asia/Shanghai',"
            " remediation_person, lead_department, deadline, measures, reopen_count,"
            " closed_at AT TIME ZONE 'Asia/Shanghai' FROM hazards WHERE unit_code = %s"
            " ORDER BY found_at, number",
            (f"S{rows}",),
        )
        for number, row in enumerate(cur, start=1):
            sheet.append([number, *row])
    path = Path(files_dir) / "baseline.xlsx"
    book.save(path)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": elapsed, "cpu": cpu, "rows": _rows_in(path), "bytes": path.stat().st_size}


def _rows_in(path: Path) -> int:
    with zipfile.ZipFile(path) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
        return sum(chunk.count(b"<row ") for chunk in iter(lambda: sheet.read(1 << 20), b""))


def child(case: str, url: str, rows: int) -> None:
    with tempfile.TemporaryDirectory() as files_dir:
        run = project_case if case == "project" else baseline_case
        figures = run(url, rows, files_dir)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


# -- the run --------------------------------------------------------------------------------
def seed(url: str, sizes: list[int]) -> None:
    import psycopg

    from shared.migrations import upgrade

    upgrade("hazards", url)
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        for rows in sizes:
            conn.execute(SEED_SQL, {"unit": f"S{rows}", "rows": rows})
            conn.execute(LEADS_SQL, {"unit": f"S{rows}"})
        conn.execute("VACUUM ANALYZE hazards")


def measure(case: str, url: str, rows: int) -> dict:
    command = [sys.executable, __file__, "--child", case, "--url", url, "--rows", str(rows)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAMPUS_LOG_FORMAT": "text"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{case} {rows}: {done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["rows"] != rows:
        raise RuntimeError(f"{case} {rows}: the file holds {figures['rows']} rows")
    return figures


def report(sizes: list[int], results: dict[tuple[str, int], dict]) -> None:
    """The table, the target and the growth. "cpu s" is the process's own CPU time (not the
    database server's): on a machine other work keeps busy, the seconds grow and it does not."""
    print(f"\nload average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{'rows':>7} | {'project s':>9} {'cpu s':>6} {'peak MB':>8} {'file MB':>8} | "
        f"{'openpyxl s':>10} {'cpu s':>6} {'peak MB':>8} | {'ratio':>6}"
    )
    for rows in sizes:
        p, b = results[("project", rows)], results.get(("baseline", rows))
        size = p["bytes"] / 2**20
        line = f"{rows:>7} | {p['seconds']:>9.2f} {p['cpu']:>6.2f} {p['peak_rss_mb']:>8.1f} "
        line += f"{size:>8.1f} |"
        if b:
            ratio = b["seconds"] / p["seconds"]
            line += f" {b['seconds']:>10.2f} {b['cpu']:>6.2f} {b['peak_rss_mb']:>8.1f}"
            line += f" | {ratio:>6.1f}"
        print(line)
    if TARGET_ROWS in sizes:
        took = results[("project", TARGET_ROWS)]["seconds"]
        verdict = "met" if took < TARGET_SECONDS else "MISSED"
        print(f"target: {TARGET_ROWS:,} rows < {TARGET_SECONDS:g} s: {took:.2f} s ({verdict})")
    first, last = sizes[0], sizes[-1]
    per_row = [results[("project", n)]["seconds"] / n * 1e6 for n in (first, last)]
    growth = results[("project", last)]["peak_rss_mb"] - results[("project", first)]["peak_rss_mb"]
    print(
        f"time per row: {per_row[0]:.0f} µs at {first:,}, {per_row[1]:.0f} µs at {last:,} "
        f"(linear: about equal); peak RSS {growth:+.1f} MB from {first:,} to {last:,} rows"
    )


def main() -> int:
    """Long because it is the whole run: arguments, the child mode, seed, measure, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,20000,50000")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--child", choices=["project", "baseline"])
    parser.add_argument("--url")
    parser.add_argument("--rows", type=int)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.rows)
        return 0
    sizes = sorted(int(s) for s in args.sizes.split(","))
    name = f"bench_exports_{os.getpid()}"
    url = f"{PG_BASE}/{name}"
    create_database(name)
    try:
        started = time.perf_counter()
        seed(url, sizes)
        print(f"seeded {sum(sizes):,} hazards in {time.perf_counter() - started:.1f} s")
        results: dict[tuple[str, int], dict] = {}
        for rows in sizes:
            cases = ["project"] if args.no_baseline else ["project", "baseline"]
            for case in cases:
                results[(case, rows)] = measure(case, url, rows)
                print(f"{case} {rows:,}: {results[(case, rows)]}", flush=True)
        report(sizes, results)
        return 0
    except Exception as exc:  # a benchmark that failed says so in its exit code
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        drop_database(name)


if __name__ == "__main__":
    sys.exit(main())
