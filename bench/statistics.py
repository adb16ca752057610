"""Benchmark of the reporting statistics at 10,000, 100,000 and 1,000,000 hazards.

Run from the repository root::

    .venv/bin/python bench/statistics.py [--sizes 10000,100000,1000000] [--runs 7]

For each size, everything runs in a fresh PostgreSQL database of the run's own
(``bench_stats_<pid>_<size>``), migrated with the reporting service's Alembic migrations and
dropped before the next size.

Data: N hazards in ``hazard_projection``, generated in SQL (INSERT … SELECT over
generate_series, seeded, so every run loads the same rows): 50 units U01..U50, every
category of ``shared.vocabulary.CATEGORIES`` with its lead department, ~10 % major, the
eight stages evenly, ``found_at`` evenly over the 2021 campaign (2021-11-08..2022-01-03,
campus dates in Asia/Shanghai) in insertion order, ``closed_at`` for closed and archived
hazards, ~5 % overdue, ``last_sequence`` 1. The statistics read the counters the reporting
consumer keeps (``services/reporting/statistics/counters.py``); the seeded rows did not come
through the consumer, so their counters are counted in SQL from the seeded projection by
``counters.rebuild`` (what the migration does for an existing ledger and what
``campus-safety check-counters --rebuild`` does). ``raw_ledger`` is a copy of the
projection with only a primary key, for the naive baselines. Everything is then VACUUM
ANALYZEd, so autovacuum does not wake up in the middle of the measurements.

Measured warm (one warm-up each), then ``--runs`` rounds in which the cases run in turn, so
that they share whatever else the machine is doing; median and min:

(a) GET /statistics?campaign_id=… with the project's code, as the endpoint computes it for a
    global principal: ``statistics.summary`` by unit over the campaign period (one query on
    the per-unit day counters), ``statistics.totals`` and ``domain.tally`` (left out: the
    look-up of the campaign's row and the education coverage, read from another table);
(b) one unit's statistics table: ``commands.table_snapshot`` for U07, for the last
    reporting period of the seed campaign and for the whole campaign (one query on
    ``hazard_table_counts``);
(c1) naive baseline: one GROUP BY unit_code, status count(*) over ``raw_ledger``;
(c3) naive baseline of (b): U07's period numbers by category in one query over
    ``raw_ledger`` (the query the table ran before the counters).

Checks (the exit code is non-zero if one fails): (a)'s counts by (unit, stage) equal (c1)'s;
(a)'s rows equal (c2)'s — one query per measure per unit over ``raw_ledger`` (7 × 50
queries, ``--naive-runs`` times, timed too); ``summary`` by category and by severity adds
up to the same totals as by unit; (b)'s period numbers equal (c3)'s.

It is a benchmark, not a test: the exit code is 0 whether or not the targets are met, and
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
from services.reporting.statistics import counters
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
SIZES = (10_000, 100_000, 1_000_000)
TARGET_CAMPAIGN_MS = 30.0  # (a) at the largest size
TARGET_RATIO = 5.0  # (c1) / (a) at the largest size
TARGET_TABLE_MS = 10.0  # (b) at the largest size


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


def load(url: str, sa_url: str, rows: int) -> float:
    """``rows`` hazards into hazard_projection (schema as migrated), their counters counted
    from it in SQL, then raw_ledger; the seconds the counters took."""
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
        engine = make_engine(sa_url)
        started = time.perf_counter()
        with make_session_factory(engine).begin() as session:
            counters.rebuild(session, TZ)
        seconds = time.perf_counter() - started
        engine.dispose()
        conn.execute("CREATE TABLE raw_ledger AS SELECT * FROM hazard_projection")
        conn.execute("ALTER TABLE raw_ledger ADD PRIMARY KEY (hazard_id)")
        for table in ("hazard_projection", "raw_ledger", *(t.name for t in counters.TABLES)):
            conn.execute(f"VACUUM ANALYZE {table}")
        return seconds


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


NAIVE_PERIOD_SQL = """
SELECT category,
    count(*) FILTER (WHERE found_at < %(start)s AND (closed IS NULL OR closed >= %(start)s))
        AS open_at_start,
    count(*) FILTER (WHERE found_at >= %(start)s) AS found,
    count(*) FILTER (WHERE closed >= %(start)s AND closed < %(end)s) AS closed_in_period,
    count(*) FILTER (WHERE closed IS NULL OR closed >= %(end)s) AS open_at_end,
    count(*) AS cumulative_found,
    count(*) FILTER (WHERE closed < %(end)s) AS cumulative_closed,
    count(*) FILTER (WHERE (closed IS NULL OR closed >= %(end)s) AND deadline <= %(last)s)
        AS overdue_at_end,
    count(*) FILTER (WHERE found_at >= %(start)s AND severity = 'major') AS major
FROM (SELECT *, CASE WHEN closed_at < found_at THEN found_at ELSE closed_at END AS closed
      FROM raw_ledger) AS h
WHERE unit_code = %(unit)s AND found_at < %(end)s AND found_at >= %(since)s
GROUP BY category
"""


def naive_period(conn: psycopg.Connection, start: date, end: date) -> dict[str, dict]:
    """(c3) The unit's period numbers by category over the raw ledger, in one query."""
    params = {
        "unit": TABLE_UNIT,
        "start": domain.start_of_day(start, TZ),
        "end": domain.end_of_day(end, TZ),
        "last": end,
        "since": domain.start_of_day(min(CAMPAIGN_FROM, start), TZ),
    }
    cursor = conn.execute(NAIVE_PERIOD_SQL, params)
    names = [c.name for c in cursor.description]
    return {row[0]: dict(zip(names[1:], row[1:], strict=True)) for row in cursor.fetchall()}


def same_period(table: dict, naive: dict[str, dict]) -> list[str]:
    mine = {r["key"]: {m: r[m] for m in statistics.PERIOD_MEASURES} for r in table["rows"]}
    return [
        f"{k}: {mine.get(k)} vs {naive.get(k)}"
        for k in sorted(set(mine) | set(naive))
        if mine.get(k) != naive.get(k)
    ]


# -- main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(n) for n in SIZES),
        help="hazards to load, one database per size (comma-separated)",
    )
    parser.add_argument("--runs", type=int, default=7, help="measured runs (after 1 warm-up)")
    parser.add_argument(
        "--naive-runs",
        type=int,
        default=1,
        help="measured runs of the per-measure naive baseline (350 queries a run)",
    )
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(n) for n in args.sizes.split(",")]
    except ValueError:
        parser.error("--sizes: numbers separated by commas")
    if min(args.sizes) < 1 or args.runs < 1 or args.naive_runs < 1:
        parser.error("--sizes, --runs and --naive-runs must be positive")
    return args


@dataclass
class SizeRun:
    rows: int
    figures: dict[str, Figure]
    counter_rows: tuple[int, int, int]  # hazard_counts, _unit_counts, _table_counts
    fill_seconds: float
    load: tuple[float, float]  # load average before, after
    checks: list[str] = field(default_factory=list)


CASES = {
    "a": "(a) campaign statistics (counters)",
    "b": f"(b) {TABLE_UNIT} table, {PERIOD_FROM}..{PERIOD_TO}",
    "b_all": f"(b) {TABLE_UNIT} table, whole campaign",
    "c1": "(c1) naive GROUP BY over raw_ledger",
    "c3": f"(c3) naive {TABLE_UNIT} period numbers over raw_ledger",
}


def run_size(rows: int, args: argparse.Namespace) -> SizeRun:
    name = f"bench_stats_{os.getpid()}_{rows}"
    pg_url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    sa_url = f"{PG_BASE}/{name}"
    engine: Engine | None = None
    create_database(name)
    try:
        before = os.getloadavg()[0]
        print(f"{rows} hazards: migrating, loading, counting (VACUUM ANALYZE) …", flush=True)
        upgrade("reporting", sa_url)
        started = time.perf_counter()
        fill = load(pg_url, sa_url, rows)
        print(f"  loaded in {time.perf_counter() - started:.1f} s (counters {fill:.1f} s)")
        engine = make_engine(sa_url)
        factory = make_session_factory(engine)
        with psycopg.connect(pg_url, autocommit=True) as raw:
            sizes = raw.execute(
                "SELECT (SELECT count(*) FROM hazard_counts), "
                "(SELECT count(*) FROM hazard_unit_counts), "
                "(SELECT count(*) FROM hazard_table_counts)"
            ).fetchone()
            figures = measure(
                [
                    (CASES["a"], lambda: project_campaign(factory)),
                    (CASES["b"], lambda: project_table(factory, PERIOD_FROM, PERIOD_TO)),
                    (CASES["b_all"], lambda: project_table(factory, CAMPAIGN_FROM, CAMPAIGN_TO)),
                    (CASES["c1"], lambda: naive_group(raw)),
                    (CASES["c3"], lambda: naive_period(raw, PERIOD_FROM, PERIOD_TO)),
                ],
                args.runs,
            )
            by = dict(zip(CASES, figures, strict=True))
            a_rows, totals, tally, counts = by["a"].result
            checks = [
                check(
                    "(a) counts by (unit, stage) vs (c1)",
                    same_counts(a_rows, counts, by["c1"].result),
                ),
                *other_dimensions(factory, totals, tally),
                check("(b) period numbers vs (c3)", same_period(by["b"].result, by["c3"].result)),
                check(
                    "(b) whole campaign vs (c3)",
                    same_period(by["b_all"].result, naive_period(raw, CAMPAIGN_FROM, CAMPAIGN_TO)),
                ),
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
                check("(a) rows vs (c2)", same_rows(a_rows, naive_rows)),
                check(
                    "(a) counts by stage vs (c2)",
                    [] if domain.tally(naive_counts) == tally else ["counts by stage"],
                ),
            ]
            by["c2"] = c2
            after = os.getloadavg()[0]
            statements = captured_statements(engine, lambda: project_campaign(factory))
            if len(statements) != 1:
                raise BenchError(f"(a) sent {len(statements)} statements, expected 1")
        return SizeRun(rows, by, tuple(sizes), fill, (before, after), checks)
    finally:
        if engine is not None:
            engine.dispose()
        drop_database(name)


def report(runs: list[SizeRun], args: argparse.Namespace) -> None:
    largest = runs[-1]
    width = 14
    print()
    print("=" * 100)
    print(environment())
    print(
        f"campaign {CAMPAIGN_FROM}..{CAMPAIGN_TO} ({TZ}); medians (min) in ms of {args.runs} "
        f"interleaved runs after 1 warm-up; (c2): {args.naive_runs} run(s)"
    )
    print(f"{'hazards':58}" + "".join(f"{r.rows:>{width + 10},}" for r in runs))
    for key, label in (*CASES.items(), ("c2", "(c2) naive per measure per unit")):
        cells = "".join(
            f"{r.figures[key].median:>{width}.1f} ({r.figures[key].min:6.1f})" for r in runs
        )
        print(f"{label:58}{cells}")
    ratios = "".join(
        f"{r.figures['c1'].median / r.figures['a'].median:>{width + 9}.1f}x" for r in runs
    )
    print(f"{'(c1) / (a)':58}{ratios}")
    rows = "".join(f"{' / '.join(str(n) for n in r.counter_rows):>{width + 10}}" for r in runs)
    print(f"{'counter rows (hazard_counts / _unit_counts / _table_counts)':58}{rows}")
    fills = "".join(f"{r.fill_seconds:>{width + 9}.1f}s" for r in runs)
    print(f"{'counters counted from the projection (rebuild)':58}{fills}")
    loads = "".join(f"{f'{r.load[0]:.2f} → {r.load[1]:.2f}':>{width + 10}}" for r in runs)
    print(f"{'load average (1 min) before → after the size':58}{loads}")
    print()
    a, c1, b = largest.figures["a"], largest.figures["c1"], largest.figures["b"]
    ratio = c1.median / a.median
    print(f"targets at {largest.rows:,} hazards:")
    for text_, met in (
        (f"(a) ≤ {TARGET_CAMPAIGN_MS:.0f} ms: {a.median:.1f} ms", a.median <= TARGET_CAMPAIGN_MS),
        (f"(a) ≥ {TARGET_RATIO:.0f}x faster than (c1): {ratio:.1f}x", ratio >= TARGET_RATIO),
        (f"(b) ≤ {TARGET_TABLE_MS:.0f} ms: {b.median:.1f} ms", b.median <= TARGET_TABLE_MS),
    ):
        print(f"  {text_} {verdict(met)}")
    print()
    for r in runs:
        for line in r.checks:
            print(f"{r.rows:>9}: {line}")
    print("=" * 100)


def verdict(met: bool) -> str:
    return "PASS" if met else "MISS"


def environment() -> str:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres") as conn:

        def setting(name: str) -> str:
            return conn.execute(f"SHOW {name}").fetchone()[0]

        return (
            f"PostgreSQL {setting('server_version')}, {os.cpu_count()} CPUs, shared_buffers "
            f"{setting('shared_buffers')}, work_mem {setting('work_mem')}, "
            f"max_parallel_workers_per_gather {setting('max_parallel_workers_per_gather')}, "
            f"jit {setting('jit')}"
        )


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    args = parse_args(argv)
    try:
        runs = [run_size(rows, args) for rows in sorted(args.sizes)]
        report(runs, args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        traceback.print_exc()
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
