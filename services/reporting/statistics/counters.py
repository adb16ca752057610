"""The hazard counters (``statistics.models``): kept by the consumer, rebuilt, checked.

``apply_change`` is called by ``handlers.apply_hazard_state`` in the event's transaction
when the projection took a newer state: the hazard's old key loses it, its new key gains it
(one multi-row upsert per table; nothing when the key did not move). A stale or duplicate
event never gets here, so replaying the events rebuilds the counters exactly.

``recompute`` counts the same keys from the projection (SQL on PostgreSQL, beside the
Python rule ``keys_of`` that the consumer uses; the same rule in Python elsewhere), and
``differences`` compares them with what is stored: ``campus-safety check-counters``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Table,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import TextClause

from services.reporting.models import HazardProjection
from services.reporting.statistics.models import NO_DAY, HazardCount, HazardUnitCount
from services.reporting.statistics.queries import fixed_moment
from shared.timeutil import campus_time

FINE = HazardCount.__table__
UNITS = HazardUnitCount.__table__
FINE_KEY = tuple(c.name for c in FINE.primary_key.columns)
UNIT_KEY = tuple(c.name for c in UNITS.primary_key.columns)
FINE_MEASURES = ("hazards", "closed", "micros_to_close")
UNIT_MEASURES = ("hazards", "overdue", "major", "closed", "micros_to_close")
# The projection's columns a key is made of (what the consumer reads before it writes).
STATE_COLUMNS = (
    "found_at",
    "unit_code",
    "category",
    "severity",
    "status",
    "overdue",
    "deadline",
    "closed_at",
)
MICROSECOND = timedelta(microseconds=1)
Counts = dict[tuple, list[int]]


def keys_of(state: Mapping[str, Any], tz: str) -> tuple[tuple, list[int], tuple, list[int]]:
    """A hazard's keys and measures in both tables. Days are campus days; the closing day is
    the close-out's, never before the finding (as ``queries.fixed_moment``)."""
    found: datetime = state["found_at"]
    closed_at: datetime | None = state["closed_at"]
    found_day = campus_time(found, tz).date()
    closed_day = campus_time(max(closed_at, found), tz).date() if closed_at else NO_DAY
    overdue = bool(state["overdue"])
    closed = 1 if closed_at else 0
    micros = (closed_at - found) // MICROSECOND if closed_at else 0
    fine = (
        state["unit_code"],
        found_day,
        state["category"],
        state["severity"],
        state["status"],
        overdue,
        state["deadline"] or NO_DAY,
        closed_day,
    )
    major = 1 if state["severity"] == "major" else 0
    unit = (found_day, state["unit_code"], state["status"])
    return fine, [1, closed, micros], unit, [1, int(overdue), major, closed, micros]


def _add(counts: Counts, key: tuple, measures: list[int], sign: int) -> None:
    acc = counts.setdefault(key, [0] * len(measures))
    for i, value in enumerate(measures):
        acc[i] += sign * value


def read_state(session: Session, hazard_id: str) -> Mapping[str, Any] | None:
    """The hazard's key columns as the projection holds them, locked until the event's
    transaction ends (PostgreSQL): a second consumer applying the next event of the same
    hazard waits, then reads the state this one wrote. Core on the session's connection,
    one statement built once: this runs for most events the consumer applies."""
    return session.connection().execute(_READ, {"hazard_id": hazard_id}).mappings().first()


_READ = (
    select(*(HazardProjection.__table__.c[c] for c in STATE_COLUMNS))
    .where(HazardProjection.__table__.c.hazard_id == bindparam("hazard_id"))
    .with_for_update()
)


def apply_change(
    session: Session, old: Mapping[str, Any] | None, new: Mapping[str, Any], tz: str
) -> None:
    """Move one hazard from ``old``'s keys (None: it is new) to ``new``'s."""
    fine: Counts = {}
    units: Counts = {}
    for state, sign in ((old, -1), (new, 1)):
        if state is not None:
            fine_key, fine_measures, unit_key, unit_measures = keys_of(state, tz)
            _add(fine, fine_key, fine_measures, sign)
            _add(units, unit_key, unit_measures, sign)
    # Sorted: concurrent consumers lock counter rows in one order.
    fine_rows = [(*k, *v) for k, v in sorted(fine.items()) if any(v)]
    unit_rows = [(*k, *v) for k, v in sorted(units.items()) if any(v)]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" and fine_rows and unit_rows:
        # Both tables in one statement (one round trip): the consumer's drain is what
        # these writes cost (bench/pipeline.py).
        params = {f"f{i}_{j}": v for i, row in enumerate(fine_rows) for j, v in enumerate(row)}
        params |= {f"u{i}_{j}": v for i, row in enumerate(unit_rows) for j, v in enumerate(row)}
        session.connection().execute(_both(len(fine_rows), len(unit_rows)), params)
        return
    for table, names, measures, rows in (
        (FINE, FINE_KEY, FINE_MEASURES, fine_rows),
        (UNITS, UNIT_KEY, UNIT_MEASURES, unit_rows),
    ):
        if rows:
            columns = (*names, *measures)
            session.connection().execute(
                _increment(table, names, measures, dialect),
                [dict(zip(columns, row, strict=True)) for row in rows],
            )


@lru_cache(maxsize=8)
def _increment(
    table: Table, key: tuple[str, ...], measures: tuple[str, ...], dialect: str
) -> Insert:
    """INSERT … ON CONFLICT (key) DO UPDATE SET m = m + excluded.m, built once."""
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert_(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c[k] for k in key],
        set_={m: table.c[m] + stmt.excluded[m] for m in measures},
    )


def _upsert_sql(table: Table, key: tuple[str, ...], measures: tuple[str, ...], prefix: str, n: int):
    columns = (*key, *measures)
    values = ", ".join(
        "(" + ", ".join(f":{prefix}{i}_{j}" for j in range(len(columns))) + ")" for i in range(n)
    )
    added = ", ".join(f"{m} = {table.name}.{m} + excluded.{m}" for m in measures)
    return (
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES {values} "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {added}"
    )


@lru_cache(maxsize=16)
def _both(fine: int, units: int) -> TextClause:
    """PostgreSQL: ``fine`` rows into hazard_counts and ``units`` into hazard_unit_counts
    in one statement (a data-modifying WITH), built once per shape."""
    first = _upsert_sql(FINE, FINE_KEY, FINE_MEASURES, "f", fine)
    second = _upsert_sql(UNITS, UNIT_KEY, UNIT_MEASURES, "u", units)
    return text(f"WITH fine AS ({first}) {second}")


# -- recomputing from the projection (the check, the bench's load, a migration's fill) ----------
def _fine_select(tz: str):
    """PostgreSQL's form of ``keys_of``: the fine counters counted from the projection."""
    p = HazardProjection
    closed = fixed_moment()

    def day(moment):
        return cast(func.timezone(tz, moment), Date)

    micros = cast(func.extract("epoch", p.closed_at - p.found_at) * 1_000_000, BigInteger)
    keys = (
        p.unit_code,
        day(p.found_at).label("found_day"),
        p.category,
        p.severity,
        p.status,
        p.overdue,
        func.coalesce(p.deadline, NO_DAY).label("deadline"),
        func.coalesce(day(closed), NO_DAY).label("closed_day"),
    )
    stmt = select(
        *keys,
        func.count().label("hazards"),
        func.count(p.closed_at).label("closed"),
        func.coalesce(func.sum(micros), 0).label("micros_to_close"),
    )
    # By position: the time zone is a parameter, and $1 in the SELECT is not $9 to PostgreSQL.
    return stmt.group_by(*(literal_column(str(i)) for i in range(1, len(keys) + 1)))


def recompute(session: Session, tz: str) -> tuple[Counts, Counts]:
    """Both tables' counts as the projection says they should be (only non-zero rows)."""
    fine: Counts = {}
    if session.get_bind().dialect.name == "postgresql":
        for row in session.execute(_fine_select(tz)):
            fine[tuple(row[: len(FINE_KEY)])] = [int(v) for v in row[len(FINE_KEY) :]]
    else:
        p = HazardProjection
        stmt = select(*(getattr(p, c) for c in STATE_COLUMNS))
        for state in session.execute(stmt).mappings():
            key, measures, _, _ = keys_of(state, tz)
            _add(fine, key, measures, 1)
    return fine, rolled_up(fine)


def rolled_up(fine: Counts) -> Counts:
    """The per-unit table from the fine one."""
    units: Counts = {}
    for (unit, found_day, _, severity, status, overdue, _, _), (n, closed, micros) in fine.items():
        major = n if severity == "major" else 0
        _add(units, (found_day, unit, status), [n, n if overdue else 0, major, closed, micros], 1)
    return units


def stored(session: Session) -> tuple[Counts, Counts]:
    """Both tables as they are (rows with every measure zero left out)."""
    result = []
    for table, key in ((FINE, FINE_KEY), (UNITS, UNIT_KEY)):
        counts: Counts = {}
        for row in session.execute(select(table)).mappings():
            values = [int(row[c.name]) for c in table.columns if c.name not in key]
            if any(values):
                counts[tuple(row[k] for k in key)] = values
        result.append(counts)
    return result[0], result[1]


def differences(session: Session, tz: str) -> list[str]:
    """Every counter row that is not what the projection says, one line each."""
    lines = []
    for name, have, want in zip(
        (FINE.name, UNITS.name), stored(session), recompute(session, tz), strict=True
    ):
        for key in sorted(set(have) | set(want), key=repr):
            if have.get(key) != want.get(key):
                shown = ", ".join(str(k) for k in key)
                lines.append(f"{name} ({shown}): 存 {have.get(key)}，应为 {want.get(key)}")
    return lines


def rebuild(session: Session, tz: str) -> None:
    """Both tables emptied and counted again from the projection."""
    session.execute(delete(FINE))
    session.execute(delete(UNITS))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(insert(FINE).from_select([*FINE_KEY, *FINE_MEASURES], _fine_select(tz)))
        c = FINE.c
        rollup = select(
            c.found_day,
            c.unit_code,
            c.status,
            func.sum(c.hazards),
            func.sum(c.hazards).filter(c.overdue.is_(True)),
            func.sum(c.hazards).filter(c.severity == "major"),
            func.sum(c.closed),
            func.sum(c.micros_to_close),
        ).group_by(c.found_day, c.unit_code, c.status)
        # FILTER over no row is NULL: the counts are NOT NULL.
        rollup = select(
            *(func.coalesce(col, 0) if i >= 3 else col for i, col in enumerate(rollup.subquery().c))
        )
        session.execute(insert(UNITS).from_select([*UNIT_KEY, *UNIT_MEASURES], rollup))
        return
    fine, units = recompute(session, tz)
    for table, key, measures, counts in (
        (FINE, FINE_KEY, FINE_MEASURES, fine),
        (UNITS, UNIT_KEY, UNIT_MEASURES, units),
    ):
        rows = [dict(zip((*key, *measures), (*k, *v), strict=True)) for k, v in counts.items()]
        if rows:
            session.execute(insert(table), rows)
