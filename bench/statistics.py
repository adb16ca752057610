"""Benchmark of the reporting statistics over a large hazard projection.

Run from the repository root::

    .venv/bin/python bench/statistics.py [--rows 1000000] [--runs 7] [--naive-runs 3]

Everything runs in a fresh PostgreSQL database of the run's own (``bench_stats_<pid>``),
migrated with the reporting service's Alembic migrations and dropped at the end.

Data: ``--rows`` hazards in ``hazard_projection``, generated in SQL (INSERT … SELECT over
generate_series, seeded, so every run loads the same rows): 50 units U01..U50, every
category of ``shared.vocabulary.CATEGORIES`` with its lead department, ~10 % major, the
eight stages evenly, ``found_at`` evenly over the 2021 campaign (2021-11-08..2022-01-03,
campus dates in Asia/Shanghai) in insertion order, ``closed_at`` for closed and archived
hazards, ~5 % overdue, ``last_sequence`` 1. ``raw_ledger`` is a copy with only a primary
key, for the naive baseline. Both tables are then VACUUM ANALYZEd, so autovacuum does not
wake up in the middle of the measurements.

Measured warm (one warm-up each), then ``--runs`` rounds in which the cases of a group run
in turn, so that they share whatever else the machine is doing; median and min:

(a) GET /statistics?campaign_id=… with the project's code, as the endpoint computes it for a
    global principal: ``statistics.summary`` by unit over the campaign period (one query:
    the measures and the counts by stage from one scan), ``statistics.totals`` and
    ``domain.tally`` (left out: the look-up of the campaign's row, which gives the period,
    and the education coverage, read from another table);
(b) one unit's statistics table: ``commands.table_snapshot`` for U07, for the last
    reporting period of the seed campaign and for the whole campaign;
(c) naive baselines over ``raw_ledger``: one GROUP BY unit_code, status count(*) query,
    and "one query per measure per unit" (found, rectified, in remediation, overdue,
    major, average time to close, and the counts by stage: 7 × 50 queries).

Checks (the exit code is non-zero if one fails): (a)'s counts by (unit, stage) equal (c1)'s,
and its per-unit found counts equal their sums; (a)'s rows equal (c2)'s; ``summary`` by
category and by severity adds up to the same totals and counts by stage as by unit; and
every (a) measured with a candidate index returns what (a) returned without.

Then, after those honest runs and in the bench database only, each candidate index of
``CANDIDATE_INDEXES`` alone (built, VACUUM ANALYZE, measured, dropped): (a) and (b) again,
with the server's settings and with ``random_page_cost`` lowered for the bench's own
connections, with the scans the planner chose for (a)'s query.

It is a benchmark, not a test: the exit code is 0 whether or not the target is met, and
non-zero only when something failed.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

import psycopg
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from services.hazards.domain import Status
from services.reporting import commands, domain
from services.reporting.models import Campaign
from services.reporting.schemas import CampaignCreateSchema
from services.reporting.statistics import queries as statistics
from shared import hazard_stages
from shared.db import make_engine, make_session_factory
from shared.migrations import upgrade
from shared.vocabulary import CATEGORIES, DEFAULT_LEADS

if __package__:  # imported as bench.statistics
    from bench.scratch_db import create_database, drop_database
else:  # run as bench/statistics.py: bench/ is sys.path[0]
    from scratch_db import create_database, drop_database

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432"
TZ = "Asia/Shanghai"
CAMPAIGN_FROM, CAMPAIGN_TO = date(2021, 11, 8), date(2022, 1, 3)
PERIOD_FROM, PERIOD_TO = date(2021, 12, 21), date(2022, 1, 3)  # the seed's last due period
UNITS = tuple(f"U{n:02d}" for n in range(1, 51))
TABLE_UNIT = "U07"
BENCH_CAMPAIGN = "BENCH"  # the campaign whose start the unit's table counts from
STATUSES = tuple(s.value for s in Status)
TARGET_MS = 300.0
# Candidate indexes, measured one at a time after the honest runs, in the bench database only.
CANDIDATE_INDEXES = {
    "A": (
        "CREATE INDEX ix_hazard_projection_found_cover ON hazard_projection (found_at) "
        "INCLUDE (unit_code, category, severity, status, overdue, closed_at)"
    ),
    "B": (
        "CREATE INDEX ix_hazard_projection_unit_status_found ON hazard_projection "
        "(unit_code, status, found_at) INCLUDE (severity, overdue, closed_at)"
    ),
}
# The planner's default (4) prices an index page as a random read; 1.1 is the usual value
# for SSDs or a cached database. Set here for the bench's own connections only.
LOW_RANDOM_PAGE_COST = "1.1"


class BenchError(RuntimeError):
    pass


# -- database ------------------------------------------------------------------------------


LOAD_SQL = """
INSERT INTO hazard_projection (
    hazard_id, number, unit_code, cell_id, category, lead_department, severity, status,
    found_at, deadline, closed_at, responsible_person_id, responsible_person_name,
    reopen_count, overdue, last_sequence, updated_at)
SELECT
    md5('hazard' || s.i)::uuid::text,
    'YH-' || to_char(s.found_at AT TIME ZONE %(tz)s, 'YYYYMM') || '-' || lpad(s.i::text, 7, '0'),
    s.unit_code,
    md5('cell' || s.unit_code || s.cell)::uuid::text,
    (%(categories)s::text[])[s.category],
    (%(leads)s::text[])[s.category],
    s.severity,
    s.status,
    s.found_at,
    (s.found_at AT TIME ZONE %(tz)s)::date + CASE WHEN s.severity = 'major' THEN 15 ELSE 30 END,
    CASE WHEN s.status IN ('closed', 'archived')
         THEN s.found_at + interval '2 hours' + s.r_close * interval '25 days' END,
    md5('person' || s.unit_code || s.cell)::uuid::text,
    (%(names)s::text[])[1 + (s.cell %% 8)],
    CASE WHEN s.r_reopen < 0.03 THEN 1 ELSE 0 END,
    s.r_overdue < 0.05,
    1,
    s.found_at + s.r_close * interval '25 days'
FROM (
    SELECT
        g.i,
        'U' || lpad((1 + floor(random() * 50))::int::text, 2, '0') AS unit_code,
        floor(random() * 8)::int AS cell,
        1 + floor(random() * %(ncategories)s)::int AS category,
        CASE WHEN random() < 0.10 THEN 'major' ELSE 'general' END AS severity,
        (%(statuses)s::text[])[1 + floor(random() * 8)::int] AS status,
        %(start)s::timestamptz
            + ((g.i - 1 + random()) / %(rows)s) * (%(end)s::timestamptz - %(start)s::timestamptz)
            AS found_at,
        random() AS r_close,
        random() AS r_reopen,
        random() AS r_overdue
    FROM generate_series(1, %(rows)s) AS g(i)
) AS s
"""
NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏")


def load(url: str, rows: int) -> None:
    """``rows`` hazards into hazard_projection (schema as migrated), then raw_ledger."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT setseed(0.2021)")  # same session as the INSERT: same rows
        conn.execute(
            LOAD_SQL,
            {
                "tz": TZ,
                "categories": list(CATEGORIES),
                "leads": [DEFAULT_LEADS[code][0] for code in CATEGORIES],
                "ncategories": len(CATEGORIES),
                "names": list(NAMES),
                "statuses": list(STATUSES),
                "start": domain.start_of_day(CAMPAIGN_FROM, TZ),
                "end": domain.end_of_day(CAMPAIGN_TO, TZ),
                "rows": rows,
            },
        )
        conn.execute("CREATE TABLE raw_ledger AS SELECT * FROM hazard_projection")
        conn.execute("ALTER TABLE raw_ledger ADD PRIMARY KEY (hazard_id)")
        conn.execute("VACUUM ANALYZE hazard_projection")
        conn.execute("VACUUM ANALYZE raw_ledger")


# -- what is measured ----------------------------------------------------------------------


def campaign_filters() -> statistics.Filters:
    return statistics.Filters(tz=TZ, found_from=CAMPAIGN_FROM, found_to=CAMPAIGN_TO)


def project_campaign(factory: sessionmaker[Session]) -> tuple[list[dict], dict, dict, list]:
    """(a) GET /statistics?campaign_id=… for a global principal, minus education coverage:
    rows, totals, tally, and the (unit, stage, count) rows the tally was made from."""
    with factory() as session:
        rows, counts = statistics.summary(session, campaign_filters(), "unit")
        return rows, statistics.totals(rows), domain.tally(counts), counts


def project_table(factory: sessionmaker[Session], start: date, end: date) -> dict:
    """(b) One unit's statistics table (what a submission freezes): the period's measures
    and, in the province's shape, what was carried over since the campaign's start."""
    with factory() as session:
        campaign = session.scalar(select(Campaign.id).where(Campaign.code == BENCH_CAMPAIGN))
        if campaign is None:
            data = CampaignCreateSchema().load(
                {
                    "code": BENCH_CAMPAIGN,
                    "name": "bench",
                    "starts_on": CAMPAIGN_FROM.isoformat(),
                    "ends_on": CAMPAIGN_TO.isoformat(),
                    "phases": [{"code": "p", "name": "p", "deadline": CAMPAIGN_TO.isoformat()}],
                    "reporting_dues": [],
                    "units": [{"unit_code": TABLE_UNIT, "name": TABLE_UNIT}],
                }
            )
            campaign = commands.create_campaign(session, commands.SYSTEM_OFFICE, data).id
            session.commit()
        due = SimpleNamespace(period_start=start, period_end=end, campaign_id=campaign)
        return commands.table_snapshot(session, due, TABLE_UNIT, TZ)  # type: ignore[arg-type]


NAIVE_GROUP_SQL = (
    "SELECT unit_code, status, count(*) FROM raw_ledger "
    "WHERE found_at >= %(start)s AND found_at < %(end)s GROUP BY unit_code, status"
)
NAIVE_WHERE = (
    "FROM raw_ledger WHERE unit_code = %(unit)s AND found_at >= %(start)s AND found_at < %(end)s"
)
NAIVE_MEASURES = {
    "found": f"SELECT count(*) {NAIVE_WHERE}",
    "rectified": f"SELECT count(*) {NAIVE_WHERE} AND status = ANY(%(rectified)s)",
    "in_remediation": f"SELECT count(*) {NAIVE_WHERE} AND status = ANY(%(in_remediation)s)",
    "overdue": f"SELECT count(*) {NAIVE_WHERE} AND overdue",
    "major": f"SELECT count(*) {NAIVE_WHERE} AND severity = 'major'",
    "seconds_to_close": (
        f"SELECT avg(extract(epoch FROM closed_at - found_at)) {NAIVE_WHERE} "
        "AND closed_at IS NOT NULL"
    ),
}
NAIVE_STAGES_SQL = f"SELECT status, count(*) {NAIVE_WHERE} GROUP BY status"


def naive_params(unit: str | None = None) -> dict[str, Any]:
    return {
        "unit": unit,
        "start": domain.start_of_day(CAMPAIGN_FROM, TZ),
        "end": domain.end_of_day(CAMPAIGN_TO, TZ),
        "rectified": sorted(hazard_stages.FIXED),
        "in_remediation": sorted(hazard_stages.UNDER_REMEDIATION),
    }


def naive_group(conn: psycopg.Connection) -> list[tuple[str, str, int]]:
    """(c1) One GROUP BY unit_code, status count(*) over the raw ledger."""
    return [tuple(r) for r in conn.execute(NAIVE_GROUP_SQL, naive_params()).fetchall()]


def naive_per_measure(conn: psycopg.Connection) -> tuple[list[dict], list[tuple[str, str, int]]]:
    """(c2) One query per measure per unit, plus one for the unit's counts by stage."""
    rows: list[dict] = []
    counts: list[tuple[str, str, int]] = []
    for unit in UNITS:
        params = naive_params(unit)
        values = {m: conn.execute(sql, params).fetchone()[0] for m, sql in NAIVE_MEASURES.items()}
        counts += [(unit, s, n) for s, n in conn.execute(NAIVE_STAGES_SQL, params).fetchall()]
        if not values["found"]:
            continue
        seconds = values.pop("seconds_to_close")
        rows.append(
            {
                "key": unit,
                **{m: int(values[m]) for m in statistics.MEASURES},
                "rectification_rate": domain.rate(values["rectified"], values["found"]),
                "average_days_to_close": (
                    round(float(seconds) / 86400, 2) if seconds is not None else None
                ),
            }
        )
    return rows, counts


# -- measuring -----------------------------------------------------------------------------


@dataclass
class Figure:
    label: str
    samples: list[float] = field(default_factory=list)  # milliseconds
    result: Any = None  # what the last run returned

    @property
    def median(self) -> float:
        # not the statistics module: this script's own name shadows it (bench/ is sys.path[0])
        ordered, half = sorted(self.samples), len(self.samples) // 2
        return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2

    @property
    def min(self) -> float:
        return min(self.samples)


def measure(cases: list[tuple[str, Callable[[], Any]]], runs: int, warmup: int = 1) -> list[Figure]:
    """Each case ``warmup`` times, then ``runs`` rounds of every case in turn: the cases of
    one group share whatever else the machine is doing at the time."""
    for _, fn in cases:
        for _ in range(warmup):
            fn()
    figures = [Figure(label) for label, _ in cases]
    for _ in range(runs):
        for figure, (_, fn) in zip(figures, cases, strict=True):
            started = time.perf_counter()
            figure.result = fn()
            figure.samples.append((time.perf_counter() - started) * 1000.0)
    for f in figures:
        print(f"  {f.label:66} median {f.median:8.1f} ms, min {f.min:8.1f} ms", flush=True)
    return figures


def captured_statements(engine: Engine, fn: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The SQL (and parameters) ``fn`` sends, exactly as the project's code builds it."""
    seen: list[tuple[str, Any]] = []

    def listener(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def explain(engine: Engine, statement: str, parameters: Any) -> list[str]:
    with engine.connect() as conn:
        result = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
        return [row[0] for row in result]


def plan_summary(lines: list[str], width: int = 118) -> list[str]:
    """The plan's nodes, workers, filter and execution time (not the sort/buffer details)."""
    wanted = ("->", "Workers Launched", "Filter:", "Index Cond", "Execution Time")
    keep = lines[:1] + [line for line in lines[1:] if any(w in line for w in wanted)]
    return [line if len(line) <= width else line[: width - 1] + "…" for line in keep]


def scan_nodes(lines: list[str]) -> str:
    """The aggregate and scan nodes of a plan, top down, and its execution time."""
    nodes = [
        line.strip().removeprefix("->").strip().split("  (")[0].replace(" on hazard_projection", "")
        for line in lines
        if "Scan" in line or "Aggregate" in line
    ]
    total = next((line.strip() for line in lines if "Execution Time" in line), "")
    return f"{' / '.join(nodes)}; {total}"


# -- checks --------------------------------------------------------------------------------


def close_enough(e: float | None, a: float | None) -> bool:
    """Average days to close, which may differ by rounding (sums in another order)."""
    return (e is None) == (a is None) and (e is None or abs(e - a) <= 0.0100001)


def same_rows(expected: list[dict], actual: list[dict]) -> list[str]:
    """Differences between two statistics tables."""
    problems = []
    if [r["key"] for r in expected] != [r["key"] for r in actual]:
        return [
            f"keys differ: {[r['key'] for r in expected][:5]}… vs {[r['key'] for r in actual][:5]}…"
        ]
    for e, a in zip(expected, actual, strict=True):
        for m in (*statistics.MEASURES, "rectification_rate"):
            if e[m] != a[m]:
                problems.append(f"{e['key']} {m}: {e[m]} vs {a[m]}")
        if not close_enough(e["average_days_to_close"], a["average_days_to_close"]):
            problems.append(
                f"{e['key']} average_days_to_close: "
                f"{e['average_days_to_close']} vs {a['average_days_to_close']}"
            )
    return problems


def same_counts(
    rows: list[dict], counts: list[tuple[str, str, int]], naive: list[tuple[str, str, int]]
) -> list[str]:
    """summary()'s (unit, stage, count) rows and its per-unit found counts against the naive
    GROUP BY unit_code, status."""
    problems = []
    if sorted(counts) != sorted(naive):
        problems.append(f"counts by (unit, stage): {len(counts)} rows vs {len(naive)} naive")
    naive_found: dict[str, int] = {}
    for unit, _, n in naive:
        naive_found[unit] = naive_found.get(unit, 0) + n
    found = {r["key"]: r["found"] for r in rows}
    if found != naive_found:
        problems += [
            f"{u} found: {found.get(u)} vs {naive_found.get(u)}"
            for u in sorted(set(found) | set(naive_found))
            if found.get(u) != naive_found.get(u)
        ]
    return problems


def same_result(expected: tuple, actual: tuple) -> list[str]:
    """Two results of project_campaign()."""
    (rows_e, totals_e, tally_e, _), (rows_a, totals_a, tally_a, _) = expected, actual
    return (
        same_rows(rows_e, rows_a)
        + same_totals(totals_e, totals_a)
        + ([] if tally_e == tally_a else ["counts by stage"])
    )


def same_totals(expected: dict, actual: dict) -> list[str]:
    problems = [
        f"total {m}: {expected[m]} vs {actual[m]}"
        for m in (*statistics.MEASURES, "closed", "rectification_rate")
        if expected[m] != actual[m]
    ]
    if not close_enough(expected["average_days_to_close"], actual["average_days_to_close"]):
        problems.append(
            f"total average_days_to_close: {expected['average_days_to_close']} "
            f"vs {actual['average_days_to_close']}"
        )
    return problems


def check(label: str, problems: list[str]) -> str:
    if problems:
        raise BenchError(f"{label}: results differ: {'; '.join(problems[:5])}")
    return f"{label}: same results"


def other_dimensions(factory: sessionmaker[Session], totals: dict, tally: dict) -> list[str]:
    """summary() by category and by severity over the campaign: the same totals and the same
    counts by stage as by unit (the other GROUP BY, with unit_code, is right too)."""
    results = []
    with factory() as session:
        for group_by in ("category", "severity"):
            rows, counts = statistics.summary(session, campaign_filters(), group_by)
            problems = same_totals(totals, statistics.totals(rows))
            if domain.tally(counts) != tally:
                problems.append("counts by stage")
            results.append(check(f"summary() by {group_by}: totals, counts vs (a)", problems))
    return results


# -- main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="hazards to load")
    parser.add_argument("--runs", type=int, default=7, help="measured runs (after 1 warm-up)")
    parser.add_argument(
        "--naive-runs",
        type=int,
        default=3,
        help="measured runs of the per-measure naive baseline (350 queries a run)",
    )
    args = parser.parse_args(argv)
    if args.rows < 1 or args.runs < 1 or args.naive_runs < 1:
        parser.error("--rows, --runs and --naive-runs must be positive")
    return args


def verdict(ms: float) -> str:
    return "PASS" if ms < TARGET_MS else "MISS"


def environment(conn: psycopg.Connection) -> str:
    def setting(name: str) -> str:
        return conn.execute(f"SHOW {name}").fetchone()[0]

    version = setting("server_version")
    sizes = conn.execute(
        "SELECT pg_size_pretty(pg_relation_size('hazard_projection')), "
        "pg_size_pretty(pg_indexes_size('hazard_projection')), "
        "pg_size_pretty(pg_relation_size('raw_ledger'))"
    ).fetchone()
    return (
        f"PostgreSQL {version}, {os.cpu_count()} CPUs, shared_buffers {setting('shared_buffers')}, "
        f"work_mem {setting('work_mem')}, max_parallel_workers_per_gather "
        f"{setting('max_parallel_workers_per_gather')}, jit {setting('jit')}\n"
        f"hazard_projection heap {sizes[0]}, its indexes {sizes[1]}; raw_ledger heap {sizes[2]}"
    )


@dataclass
class IndexRound:
    name: str
    sql: str
    size: str
    seconds: float
    figures: list[Figure]
    scans: list[str]


def index_round(
    raw: psycopg.Connection,
    name: str,
    engines: dict[str, Engine],
    statement: tuple[str, Any],
    runs: int,
) -> IndexRound:
    """Candidate index ``name`` alone (built, VACUUM ANALYZE), then (a) and (b) through each
    engine (default settings, low random_page_cost), then the index dropped again."""
    sql = CANDIDATE_INDEXES[name]
    index = sql.split()[2]
    print(f"measuring, with candidate index {name} (bench database only) …", flush=True)
    started = time.perf_counter()
    raw.execute(sql)
    raw.execute("VACUUM ANALYZE hazard_projection")
    seconds = time.perf_counter() - started
    size = raw.execute(
        "SELECT pg_size_pretty(pg_relation_size(%s::regclass))", (index,)
    ).fetchone()[0]
    cases: list[tuple[str, Callable[[], Any]]] = []
    scans = []
    for setting, engine in engines.items():
        factory = make_session_factory(engine)
        cases += [
            (
                f"(a) campaign statistics, index {name}{setting}",
                lambda f=factory: project_campaign(f),
            ),
            (
                f"(b) {TABLE_UNIT} table, last period, index {name}{setting}",
                lambda f=factory: project_table(f, PERIOD_FROM, PERIOD_TO),
            ),
        ]
        scans.append(f"index {name}{setting}: {scan_nodes(explain(engine, *statement))}")
    figures = measure(cases, runs)
    raw.execute(f"DROP INDEX {index}")
    return IndexRound(name, sql, size, seconds, figures, scans)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    args = parse_args(argv)
    name = f"bench_stats_{os.getpid()}"
    pg_url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    sa_url = f"{PG_BASE}/{name}"
    created = False
    engine: Engine | None = None
    low_cost_engine: Engine | None = None
    status = 0
    try:
        print(f"creating and migrating {name} …", flush=True)
        create_database(name)
        created = True
        upgrade("reporting", sa_url)
        print(f"loading {args.rows} hazards (and raw_ledger, VACUUM ANALYZE) …", flush=True)
        started = time.perf_counter()
        load(pg_url, args.rows)
        print(f"  loaded in {time.perf_counter() - started:.1f} s", flush=True)

        engine = make_engine(sa_url)
        low_cost_engine = make_engine(
            sa_url, connect_args={"options": f"-c random_page_cost={LOW_RANDOM_PAGE_COST}"}
        )
        factory = make_session_factory(engine)
        runs = args.runs
        with psycopg.connect(pg_url, autocommit=True) as raw:
            env = environment(raw)
            load_before = os.getloadavg()

            print("measuring, schema exactly as migrated …", flush=True)
            a, b, b_all, c1 = measure(
                [
                    ("(a) campaign statistics (summary)", lambda: project_campaign(factory)),
                    (
                        f"(b) {TABLE_UNIT} table, {PERIOD_FROM}..{PERIOD_TO}",
                        lambda: project_table(factory, PERIOD_FROM, PERIOD_TO),
                    ),
                    (
                        f"(b) {TABLE_UNIT} table, whole campaign",
                        lambda: project_table(factory, CAMPAIGN_FROM, CAMPAIGN_TO),
                    ),
                    ("(c1) naive GROUP BY over raw_ledger", lambda: naive_group(raw)),
                ],
                runs,
            )
            rows, totals, tally, counts = a.result
            checks = [
                check(
                    "(a) counts by (unit, stage), found by unit vs (c1)",
                    same_counts(rows, counts, c1.result),
                ),
                *other_dimensions(factory, totals, tally),
            ]
            (c2,) = measure(
                [
                    (
                        "(c2) naive per measure per unit over raw_ledger",
                        lambda: naive_per_measure(raw),
                    )
                ],
                args.naive_runs,
                warmup=0,
            )
            naive_rows, naive_counts = c2.result
            checks += [
                check("(a) rows vs (c2)", same_rows(rows, naive_rows)),
                check(
                    "(a) counts by stage vs (c2)",
                    [] if domain.tally(naive_counts) == tally else ["counts by stage"],
                ),
            ]

            statements = captured_statements(engine, lambda: project_campaign(factory))
            if len(statements) != 1:
                raise BenchError(f"(a) sent {len(statements)} statements, expected 1")
            plan = explain(engine, *statements[0])

            engines = {"": engine, f", random_page_cost {LOW_RANDOM_PAGE_COST}": low_cost_engine}
            rounds = [index_round(raw, n, engines, statements[0], runs) for n in CANDIDATE_INDEXES]
            load_after = os.getloadavg()
            for r in rounds:
                for figure in r.figures:
                    if figure.label.startswith("(a)"):
                        checks.append(
                            check(f"{figure.label} vs (a)", same_result(a.result, figure.result))
                        )

        print()
        print("=" * 100)
        print(env)
        print(
            f"{args.rows} hazards, campaign {CAMPAIGN_FROM}..{CAMPAIGN_TO} ({TZ}); "
            f"{runs} runs after 1 warm-up (c2: {args.naive_runs} runs, warmed by c1); "
            f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
        )
        print()
        print(f"{'':62} {'median ms':>10} {'min ms':>10} {'× (a)':>8}")

        def line(figure: Figure, note: str = "") -> None:
            ratio = figure.median / a.median
            print(
                f"{figure.label:62} {figure.median:10.1f} {figure.min:10.1f} {ratio:8.2f}"
                + (f"  {note}" if note else "")
            )

        print("schema exactly as migrated:")
        line(a, f"target < {TARGET_MS:.0f} ms: {verdict(a.median)}")
        line(b)
        line(b_all)
        line(c1)
        line(c2)
        for r in rounds:
            print(
                f"with candidate index {r.name} (bench database only; {r.size}, built + VACUUM "
                f"ANALYZE in {r.seconds:.1f} s):\n  {r.sql}"
            )
            for figure in r.figures:
                line(figure, "" if figure.label.startswith("(b)") else verdict(figure.median))
        print()
        print(
            "(a) is one SQL statement: GROUP BY unit_code, status with every measure, rolled up "
            "in Python.\n(c1) is one SQL statement: GROUP BY unit_code, status count(*) over the "
            "period, no measures.\n(c2) is what a straightforward implementation would do: for "
            f"each of the {len(UNITS)} units, one COUNT/AVG\n     query per measure "
            f"({len(NAIVE_MEASURES)}) and one GROUP BY status, i.e. "
            f"{len(UNITS) * (len(NAIVE_MEASURES) + 1)} queries, each a scan of raw_ledger."
        )
        print(
            f"(c2) takes {c2.median / a.median:.1f}x the time of (a); (c1), which computes only "
            f"the counts by stage, {c1.median / a.median:.2f}x."
        )
        for text_ in checks:
            print(text_)
        print()
        print("EXPLAIN (ANALYZE, BUFFERS), schema as migrated, (a)'s query:")
        for plan_line in plan_summary(plan):
            print(f"    {plan_line}")
        print("EXPLAIN (ANALYZE), (a)'s query with each candidate index: the scans chosen")
        for r in rounds:
            for scan in r.scans:
                print(f"  {scan}")
        print("=" * 100)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        status = 130
    except Exception as exc:
        traceback.print_exc()
        print(f"benchmark failed: {exc}", file=sys.stderr)
        status = 1
    finally:
        for each in (engine, low_cost_engine):
            if each is not None:
                each.dispose()
        if created:
            try:
                drop_database(name)
            except Exception as exc:
                print(f"cleanup: dropping {name} failed: {exc}", file=sys.stderr)
                status = status or 1
    return status


if __name__ == "__main__":
    sys.exit(main())
