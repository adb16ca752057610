"""Benchmark of the ledger list (隐患台账, GET /hazards) over 1,000,000 hazards.

Run from the repository root::

    .venv/bin/python bench/ledger.py [--hazards 1000000] [--runs 200] [--page 500]

Everything runs in a fresh PostgreSQL database of the run's own (``bench_ledger_<pid>``),
migrated with the hazards service's migrations and dropped at the end.

Data: ``--hazards`` hazards generated in SQL (INSERT … SELECT over generate_series, seeded,
so every run loads the same rows): 50 units U01..U50 with 8 places each (in the ledger's
copy of the grid, so the list names them), every category of ``shared.vocabulary`` with its
lead department (a ``hazard_leads`` row each, as new hazards get; every fourth hazard also
co-led by 学工处 XGC, as exports.py seeds them), ~10 % major, found evenly
over four years; the stages as a ledger years old holds them: 70 % archived, 10 % closed,
the other six 20 % between them. Then VACUUM ANALYZE (so autovacuum does not wake up in the
middle of the measurements).

The request: ``GET /hazards?unit_code=U07&status=archived&page_size=20`` — the console's
ledger with two of its filters (单位 and 环节), about 14,000 hazards at 1,000,000, so the
500th page exists — as the security office, answered by the hazards service's Flask app in
this process (its test client: routing, token check, queries, JSON; no sockets). Cases:

- first page: no cursor (the page the console opens);
- page N by cursor: the cursor of page N-1's ``next_cursor``, reached by following the
  cursors from the first page (the walk is checked: strictly newest first, no hazard twice);
- baseline, page N by number: ``page=N``, an OFFSET over the same query, as every page was
  read before cursors (the same rows: checked).

Each case: warm-up, then ``--runs`` rounds in which the cases run in turn, so that they share
whatever else the machine is doing; p50, p99 and max. Target: p99 ≤ 50 ms for the first and
the N-th page (issue 18). It also prints the total the pages give and whether it is exact
(``total_exact``: counted up to 10,000, estimated past it), and the load average before and
after.

Then, informative (no target; ``--other-runs`` rounds, 0 leaves them out): the first page
for the console's other callers and filters — the office without a filter and by category,
severity and overdue, a month of finding dates, a unit manager's stage, a lead department
(first lead, and a co-lead of every fourth hazard), and a text search (``q``: not indexed,
a scan of the ledger).

It is a benchmark, not a test: the exit code is 0 whether or not the target is met, and
non-zero only when something failed (a non-200 answer, a walk out of order, a page by cursor
that is not the page by number).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from typing import Any

if __package__:  # imported as bench.ledger
    from bench.scratch_db import create_database, drop_database
else:  # run as bench/ledger.py: bench/ is sys.path[0]
    from scratch_db import create_database, drop_database

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432"
TARGET_P99_MS = 50.0
PAGE_SIZE = 20
FILTERS = {"unit_code": "U07", "status": "archived"}
# The stages of a ledger years old: most archived (one weight per Status, in its order).
STAGE_WEIGHTS = (
    ("discovered", 0.04),
    ("registered", 0.03),
    ("reported", 0.03),
    ("in_remediation", 0.04),
    ("rectified", 0.03),
    ("accepted", 0.03),
    ("closed", 0.10),
    ("archived", 0.70),
)

SEED_SQL = """
INSERT INTO hazards (
    id, number, unit_code, cell_id, category, lead_department, severity, status,
    description, location, found_by, found_at, responsible_person_name, deadline,
    remediation_person, quick_fix, reopen_count, source, major_unresolved_notified,
    closed_at, version, created_at, updated_at
)
SELECT
    md5('hazard' || s.i)::uuid::text,
    'YH-' || lpad(s.i::text, 8, '0'),
    s.unit_code,
    'cell-' || s.unit_code || '-' || s.cell,
    (%(categories)s::text[])[s.category],
    (%(leads)s::text[])[s.category],
    CASE WHEN s.r_major < 0.10 THEN 'major' ELSE 'general' END,
    (%(stages)s::text[])[
        1 + (SELECT count(*) FROM unnest(%(bounds)s::float8[]) AS b WHERE b <= s.r_stage)],
    '第' || s.i || '号隐患：消防通道堆放杂物，灭火器压力不足',
    '东侧楼梯间' || (s.i %% 20) || '层',
    'u-' || (s.i %% 97),
    s.found_at,
    '刘洋',
    (s.found_at + interval '30 days')::date,
    '陈静',
    true,
    0,
    'report',
    false,
    CASE WHEN s.r_stage >= %(closed_from)s THEN s.found_at + interval '20 days' END,
    1,
    s.found_at,
    s.found_at
FROM (
    SELECT
        g.i,
        'U' || lpad((1 + floor(random() * 50))::int::text, 2, '0') AS unit_code,
        floor(random() * 8)::int AS cell,
        1 + floor(random() * %(ncategories)s)::int AS category,
        random() AS r_major,
        random() AS r_stage,
        timestamptz '2022-01-01 00:00+00'
            + ((g.i - 1 + random()) / %(rows)s) * interval '1460 days' AS found_at
    FROM generate_series(1, %(rows)s) AS g(i)
) AS s
"""
LEADS_SQL = """
INSERT INTO hazard_leads (hazard_id, unit_code, position)
SELECT id, lead_department, 0 FROM hazards
UNION ALL
SELECT id, 'XGC', 1 FROM hazards WHERE right(number, 3)::int %% 4 = 0 AND lead_department <> 'XGC'
"""
GRID_SQL = """
INSERT INTO grid_units (code, name, kind, last_sequence)
SELECT 'U' || lpad(u::text, 2, '0'), '第' || u || '学院', 'college', 1
FROM generate_series(1, 50) AS u;
INSERT INTO grid_cells (cell_id, code, name, level, parent_id, unit_code, area_type, last_sequence)
SELECT 'cell-' || code || '-' || c, code || '-' || c, '教学楼' || c || '号', 3, NULL, code,
       'teaching', 1
FROM grid_units, generate_series(0, 7) AS c;
"""


class BenchError(RuntimeError):
    pass


def seed(url: str, rows: int) -> None:
    import psycopg

    from shared.migrations import upgrade
    from shared.vocabulary import CATEGORIES, DEFAULT_LEADS

    upgrade("hazards", url)
    stages = [name for name, _ in STAGE_WEIGHTS]
    bounds, total = [], 0.0
    for _, weight in STAGE_WEIGHTS[:-1]:
        total += weight
        bounds.append(round(total, 6))
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("SELECT setseed(0.2026)")  # same session as the INSERT: same rows
        conn.execute(
            SEED_SQL,
            {
                "categories": list(CATEGORIES),
                "leads": [DEFAULT_LEADS[code][0] for code in CATEGORIES],
                "ncategories": len(CATEGORIES),
                "stages": stages,
                "bounds": bounds,
                "closed_from": bounds[stages.index("closed") - 1],
                "rows": rows,
            },
        )
        conn.execute(LEADS_SQL, {})
        conn.execute(GRID_SQL)
        for table in ("hazards", "hazard_leads", "grid_units", "grid_cells"):
            conn.execute(f"VACUUM ANALYZE {table}")


def matching(url: str) -> int:
    """How many hazards the filters select (counted in SQL, beside the code under test)."""
    import psycopg

    where = " AND ".join(f"{column} = %({column})s" for column in FILTERS)
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        return conn.execute(f"SELECT count(*) FROM hazards WHERE {where}", FILTERS).fetchone()[0]


# -- what is measured ----------------------------------------------------------------------


class Ledger:
    """The hazards app in this process, asked as the security office."""

    def __init__(self, url: str, files_dir: str) -> None:
        from services.registry import create_app
        from shared.auth import mint_token
        from shared.config import DEV_JWT_SECRET
        from shared.principal import SECURITY_OFFICE

        app = create_app("hazards", {"database_url": url, "files_dir": files_dir})
        self.client = app.test_client()
        self.token = lambda roles, unit: mint_token(DEV_JWT_SECRET, "bench", roles, unit=unit)
        self.headers = self.bearer([SECURITY_OFFICE], None)

    def bearer(self, roles: list[str], unit: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(roles, unit)}"}

    def get(self, headers: dict | None = None, filters: dict | None = None, **params: Any):
        """(ms, hazards, X-Pagination) of one GET /hazards with FILTERS (or ``filters``) and
        ``params``, as the security office (or ``headers``)."""
        query = {**(FILTERS if filters is None else filters), "page_size": PAGE_SIZE, **params}
        started = time.perf_counter()
        response = self.client.get("/hazards", query_string=query, headers=headers or self.headers)
        took = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise BenchError(f"GET /hazards {params}: {response.status_code} {response.text}")
        return took, response.get_json(), json.loads(response.headers["X-Pagination"])


def walk(ledger: Ledger, page: int) -> str:
    """Follow the cursors from the first page to page ``page - 1``; the cursor of ``page``.
    Checks the walk: newest first throughout, no hazard twice, full pages."""
    seen: set[str] = set()
    last_key: tuple[str, str] | None = None
    cursor = None
    for number in range(1, page):
        _, hazards, meta = ledger.get(**({"cursor": cursor} if cursor else {}))
        if len(hazards) != PAGE_SIZE or not meta.get("next_cursor"):
            raise BenchError(f"page {number} by cursor: {len(hazards)} hazards, no next page")
        for hazard in hazards:
            key = (hazard["found_at"], hazard["number"])
            if hazard["id"] in seen or (last_key is not None and key >= last_key):
                raise BenchError(f"page {number} by cursor: {hazard['number']} out of order")
            seen.add(hazard["id"])
            last_key = key
        cursor = meta["next_cursor"]
    return cursor


def median(values: list[float]) -> float:
    """(bench/statistics.py is ``statistics`` when this runs as a script: not the stdlib's.)"""
    ordered, middle = sorted(values), len(values) // 2
    return (ordered[middle] + ordered[~middle]) / 2


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(ledger: Ledger, page: int, runs: int) -> tuple[dict[str, list[float]], dict]:
    cursor = walk(ledger, page)
    cases = {
        "first page": {},
        f"page {page} by cursor": {"cursor": cursor},
        f"baseline: page {page} by number (OFFSET)": {"page": page},
    }
    answers = {name: ledger.get(**params) for name, params in cases.items()}  # warm-up
    by_cursor, by_number = (answers[name][1] for name in list(cases)[1:])
    if [h["id"] for h in by_cursor] != [h["id"] for h in by_number]:
        raise BenchError(f"page {page} by cursor is not page {page} by number")
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, params in cases.items():
            times[name].append(ledger.get(**params)[0])
    return times, answers["first page"][2]


# Other callers and filters of the console, first page only: informative, no target.
# (who, roles, unit, filters)
OTHERS = (
    ("office, no filter (全校)", ["security_office"], None, {}),
    ("office, category=fire", ["security_office"], None, {"category": "fire"}),
    (
        "office, severity=major&overdue=true",
        ["security_office"],
        None,
        {"severity": "major", "overdue": "true"},
    ),
    (
        "office, found_from/found_to (a month)",
        ["security_office"],
        None,
        {"found_from": "2024-03-01", "found_to": "2024-03-31"},
    ),
    ("unit manager U07, status=discovered", ["unit_manager"], "U07", {"status": "discovered"}),
    (
        "lead BWC (first lead), status=discovered",
        ["lead_department"],
        "BWC",
        {"status": "discovered"},
    ),
    ("lead XGC (co-lead of every 4th), no filter", ["lead_department"], "XGC", {}),
    ("office, q=YH-0012 (text: not indexed, a scan)", ["security_office"], None, {"q": "YH-0012"}),
)


def measure_others(ledger: Ledger, runs: int) -> list[tuple[str, list[float], dict]]:
    results = []
    for who, roles, unit, filters in OTHERS:
        headers = ledger.bearer(roles, unit)
        ledger.get(headers, filters)  # warm-up
        times, meta = [], {}
        for _ in range(runs):
            took, _, meta = ledger.get(headers, filters)
            times.append(took)
        results.append((who, times, meta))
    return results


def report_others(results: list[tuple[str, list[float], dict]]) -> None:
    print(f"\nother callers and filters, first page, {len(results[0][1])} runs (no target):")
    print(f"{'case':<48} {'p50 ms':>8} {'p99 ms':>8}  total")
    for who, times, meta in results:
        total = f"{'' if meta['total_exact'] else '约 '}{meta['total']:,}"
        print(f"{who:<48} {median(times):>8.1f} {percentile(times, 0.99):>8.1f}  {total}")


def report(times: dict[str, list[float]], meta: dict, rows: int, counted: int) -> None:
    print(f"\nGET /hazards?{'&'.join(f'{k}={v}' for k, v in FILTERS.items())}", end="")
    print(f"&page_size={PAGE_SIZE} over {rows:,} hazards, {len(next(iter(times.values())))} runs")
    total = f"{'' if meta['total_exact'] else '约 '}{meta['total']:,}"
    exact = "exact" if meta["total_exact"] else "estimated"
    print(f"total the pages give: {total} ({exact}; counted in SQL: {counted:,})")
    print(f"{'case':<44} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  target")
    names = list(times)
    for name in names:
        values = times[name]
        p50, p99 = median(values), percentile(values, 0.99)
        if name.startswith("baseline"):
            verdict = "(the same run's OFFSET paging)"
        else:
            verdict = f"p99 ≤ {TARGET_P99_MS:g} ms: {'met' if p99 <= TARGET_P99_MS else 'MISSED'}"
        print(f"{name:<44} {p50:>8.1f} {p99:>8.1f} {max(values):>8.1f}  {verdict}")
    deep, baseline = (median(times[name]) for name in names[1:])
    print(f"deep page by cursor / by number (p50): {deep / baseline:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument("--other-runs", type=int, default=20, help="0: leave them out")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the service's request logs: not what is measured
    load = os.getloadavg()
    name = f"bench_ledger_{os.getpid()}"
    url = f"{PG_BASE}/{name}"
    create_database(name)
    try:
        started = time.perf_counter()
        seed(url, args.hazards)
        print(f"seeded {args.hazards:,} hazards in {time.perf_counter() - started:.1f} s")
        counted = matching(url)
        page = min(args.page, counted // PAGE_SIZE)
        if page != args.page:
            print(f"only {page} full pages match the filters: page {page} is the deep page")
        if page < 2:
            raise BenchError("fewer than two pages match the filters: use more --hazards")
        with tempfile.TemporaryDirectory() as files_dir:
            service = Ledger(url, files_dir)
            times, meta = measure(service, page, args.runs)
            others = measure_others(service, args.other_runs) if args.other_runs else []
        report(times, meta, args.hazards, counted)
        if others:
            report_others(others)
        print(f"load average before: {' '.join(f'{x:.2f}' for x in load)}")
        after = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"load average after:  {after}  ({os.cpu_count()} cores)")
        return 0
    except Exception as exc:  # a benchmark that failed says so in its exit code
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        drop_database(name)


if __name__ == "__main__":
    sys.exit(main())
