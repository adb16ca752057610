"""The hazard counters (``statistics.models``): kept by the consumer, rebuilt, checked.

Three tables of the same hazards: ``hazard_counts`` (every key the statistics filter and
group on) and two rollups of it with fewer rows, ``hazard_unit_counts`` (the campaign's
statistics by unit) and ``hazard_table_counts`` (a unit's table, the period tables).

``apply_change`` is called by ``handlers.apply_hazard_state`` in the event's transaction
when the projection took a newer state: the hazard's old keys lose it, its new keys gain it.
The change is noted in the session and written by ``flush`` just before the transaction
commits (one statement per table for the consumer's whole batch), or dropped with a
SAVEPOINT that rolls back; readers in the same transaction flush first. A stale or
duplicate event never gets here, so replaying the events rebuilds the counters exactly.

``recompute`` counts the same keys from the projection (SQL on PostgreSQL, beside the
Python rule ``keys_of`` that the consumer uses; the same rule in Python elsewhere), and
``differences`` compares them with what is stored: ``campus-safety check-counters``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
    event,
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
from services.reporting.statistics.models import (
    NO_DAY,
    HazardCount,
    HazardTableCount,
    HazardUnitCount,
)
from shared import bulk
from shared import hazard_stages as stages
from shared.timeutil import campus_time

FINE = HazardCount.__table__
FINE_KEY = tuple(c.name for c in FINE.primary_key.columns)
FINE_MEASURES = ("hazards", "closed", "micros_to_close")


@dataclass(frozen=True)
class Rollup:
    """A table of the same hazards with fewer key columns than ``hazard_counts``."""

    table: Table
    of: Callable[[tuple, list[int]], tuple[tuple, list[int]]]  # a fine row → its row
    key: tuple[str, ...]
    measures: tuple[str, ...]


def _rollup(model: type, of: Callable) -> Rollup:
    table = model.__table__
    key = tuple(c.name for c in table.primary_key.columns)
    measures = tuple(c.name for c in table.columns if not c.primary_key)
    return Rollup(table, of, key, measures)


def _per_unit(key: tuple, measures: list[int]) -> tuple[tuple, list[int]]:
    unit, found_day, _, severity, status, overdue, _, _ = key
    n, closed, micros = measures
    major = n if severity == "major" else 0
    return (found_day, unit, status), [n, n if overdue else 0, major, closed, micros]


def _per_table(key: tuple, measures: list[int]) -> tuple[tuple, list[int]]:
    unit, found_day, category, severity, status, overdue, deadline, closed_day = key
    n, closed, micros = measures
    return (unit, found_day, category, deadline, closed_day), [
        n,
        n if severity == "major" else 0,
        n if status in stages.FIXED else 0,
        n if status in stages.UNDER_REMEDIATION else 0,
        n if overdue else 0,
        closed,
        micros,
    ]


ROLLUPS = (_rollup(HazardUnitCount, _per_unit), _rollup(HazardTableCount, _per_table))
TABLES = (FINE, *(r.table for r in ROLLUPS))
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


def keys_of(state: Mapping[str, Any], tz: str) -> tuple[tuple, list[int]]:
    """A hazard's key and measures in ``hazard_counts`` (the rollups follow from them). Days
    are campus days; the closing day is the close-out's, never before the finding (as
    ``queries.fixed_moment``)."""
    found: datetime = state["found_at"]
    closed_at: datetime | None = state["closed_at"]
    found_day = campus_time(found, tz).date()
    closed_day = campus_time(max(closed_at, found), tz).date() if closed_at else NO_DAY
    key = (
        state["unit_code"],
        found_day,
        state["category"],
        state["severity"],
        state["status"],
        bool(state["overdue"]),
        state["deadline"] or NO_DAY,
        closed_day,
    )
    micros = (closed_at - found) // MICROSECOND if closed_at else 0
    return key, [1, 1 if closed_at else 0, micros]


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


def read_states(session: Session, hazard_ids: list[str]) -> dict[str, Mapping[str, Any]]:
    """``read_state`` of many hazards in one statement (locked in the order of their ids,
    as the consumer writes them): hazard id -> its key columns, for those with a row."""
    if not hazard_ids:
        return {}
    connection = session.connection()
    # PostgreSQL: one array parameter, one statement text whatever the number of ids.
    stmt = _READ_ANY if connection.dialect.name == "postgresql" else _READ_MANY
    rows = connection.execute(stmt, {"hazard_ids": sorted(hazard_ids)})
    return {row["hazard_id"]: row for row in rows.mappings()}


_READ = (
    select(*(HazardProjection.__table__.c[c] for c in STATE_COLUMNS))
    .where(HazardProjection.__table__.c.hazard_id == bindparam("hazard_id"))
    .with_for_update()
)
_READ_MANY = (
    select(
        HazardProjection.__table__.c.hazard_id,
        *(HazardProjection.__table__.c[c] for c in STATE_COLUMNS),
    )
    .where(HazardProjection.__table__.c.hazard_id.in_(bindparam("hazard_ids", expanding=True)))
    .order_by(HazardProjection.__table__.c.hazard_id)
    .with_for_update()
)
_READ_ANY = text(
    f"SELECT hazard_id, {', '.join(STATE_COLUMNS)} FROM hazard_projection "
    "WHERE hazard_id = ANY(CAST(:hazard_ids AS text[])) ORDER BY hazard_id FOR UPDATE"
).columns(*(HazardProjection.__table__.c[c] for c in ("hazard_id", *STATE_COLUMNS)))


def apply_change(
    session: Session, old: Mapping[str, Any] | None, new: Mapping[str, Any], tz: str
) -> None:
    """Move one hazard from ``old``'s keys (None: it is new) to ``new``'s, in every table:
    noted now, written with the transaction (``flush``), merged with the other events of
    the consumer's batch. A batch of 100 hazards found the same day in one unit writes a
    few counter rows once, not 300 rows one event at a time."""
    fine: Counts = {}
    for state, sign in ((old, -1), (new, 1)):
        if state is not None:
            _add(fine, *keys_of(state, tz), sign)
    if any(any(v) for v in fine.values()):
        _pending(session).append((_innermost(session), fine))


_PENDING = "hazard_counter_changes"


def _innermost(session: Session):
    return session.get_nested_transaction() or session.get_transaction()


def _pending(session: Session) -> list:
    """The session's noted changes, each with the transaction (or SAVEPOINT) it belongs
    to; the first time, the hooks that write them at commit or drop them at rollback."""
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        event.listen(session, "before_commit", flush)
        event.listen(session, "after_soft_rollback", _forget)
        event.listen(session, "after_transaction_end", _ended)
    return pending


def _forget(session: Session, rolled_back) -> None:
    """A SAVEPOINT rolled back (a failed event): its changes are dropped with it."""
    pending = session.info.get(_PENDING)
    if pending:
        pending[:] = [(tx, c) for tx, c in pending if not _within(tx, rolled_back)]


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _ended(session: Session, transaction) -> None:
    """The whole transaction is over: written (commit) or rolled back; nothing carries."""
    if transaction.parent is None and session.info.get(_PENDING):
        session.info[_PENDING].clear()


def flush(session: Session) -> None:
    """Write the noted changes now (before a commit, or before counters are read in the
    same transaction): one statement per table, rows merged and sorted (concurrent
    consumers lock counter rows in one order)."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    fine: Counts = {}
    for _, changes in pending:
        for key, measures in changes.items():
            _add(fine, key, measures, 1)
    pending.clear()
    dialect = session.get_bind().dialect.name
    tables = [(FINE, FINE_KEY, FINE_MEASURES, fine)]
    tables += [(r.table, r.key, r.measures, rolled_up(fine, r)) for r in ROLLUPS]
    every: dict[str, str] = {}
    for number, (table, key, measures, counts) in enumerate(tables):
        columns = (*key, *measures)
        rows = [
            dict(zip(columns, (*k, *v), strict=True)) for k, v in sorted(counts.items()) if any(v)
        ]
        if dialect == "postgresql":
            every[f"rows{number}"] = bulk.rows_json(rows)
        elif rows:
            session.connection().execute(_increment(table, key, measures, dialect), rows)
    if every:  # PostgreSQL: the three tables in one statement, one round trip (shared.bulk)
        session.connection().execute(_increment_every(), every)


@lru_cache(maxsize=1)
def _increment_every() -> TextClause:
    """The three tables' increments as writable CTEs of one statement, each table's rows a
    JSON parameter (``rows0``, ``rows1``, ``rows2``: an empty array adds nothing). Rows are
    locked in key order: concurrent consumers take counter rows in one order."""
    parts = []
    for number, (table, key, measures) in enumerate(
        [(FINE, FINE_KEY, FINE_MEASURES), *((r.table, r.key, r.measures) for r in ROLLUPS)]
    ):
        added = ", ".join(f"{m} = {table.name}.{m} + excluded.{m}" for m in measures)
        conflict = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {added}"
        sql = bulk.insert_rows_sql(
            table, (*key, *measures), conflict, ", ".join(key), f"rows{number}"
        )
        parts.append(f"t{number} AS ({sql})")
    return text(f"WITH {', '.join(parts)} SELECT 1")


@lru_cache(maxsize=8)
def _increment(
    table: Table, key: tuple[str, ...], measures: tuple[str, ...], dialect: str
) -> Insert:
    """INSERT … ON CONFLICT (key) DO UPDATE SET m = m + excluded.m, built once (many rows
    travel as one statement: SQLAlchemy's insertmanyvalues on PostgreSQL)."""
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert_(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c[k] for k in key],
        set_={m: table.c[m] + stmt.excluded[m] for m in measures},
    )


# -- recomputing from the projection (the check, the bench's load, a migration's fill) ----------
def _fine_select(tz: str):
    """PostgreSQL's form of ``keys_of``: the fine counters counted from the projection."""
    p = HazardProjection
    from services.reporting.statistics.queries import fixed_moment  # it imports this module

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


def recompute(session: Session, tz: str) -> list[Counts]:
    """Every table's counts as the projection says they should be (non-zero rows only),
    in the order of ``TABLES``."""
    fine: Counts = {}
    if session.get_bind().dialect.name == "postgresql":
        for row in session.execute(_fine_select(tz)):
            fine[tuple(row[: len(FINE_KEY)])] = [int(v) for v in row[len(FINE_KEY) :]]
    else:
        p = HazardProjection
        stmt = select(*(getattr(p, c) for c in STATE_COLUMNS))
        for state in session.execute(stmt).mappings():
            _add(fine, *keys_of(state, tz), 1)
    return [fine, *(rolled_up(fine, r) for r in ROLLUPS)]


def rolled_up(fine: Counts, rollup: Rollup) -> Counts:
    """A rollup's rows from the fine ones."""
    rows: Counts = {}
    for key, measures in fine.items():
        _add(rows, *rollup.of(key, measures), 1)
    return rows


def stored(session: Session) -> list[Counts]:
    """Every table as it is (rows with every measure zero left out)."""
    flush(session)
    result = []
    for table in TABLES:
        key = [c.name for c in table.primary_key.columns]
        counts: Counts = {}
        for row in session.execute(select(table)).mappings():
            values = [int(row[c.name]) for c in table.columns if not c.primary_key]
            if any(values):
                counts[tuple(row[k] for k in key)] = values
        result.append(counts)
    return result


def differences(session: Session, tz: str) -> list[str]:
    """Every counter row that is not what the projection says, one line each."""
    lines = []
    for table, have, want in zip(TABLES, stored(session), recompute(session, tz), strict=True):
        for key in sorted(set(have) | set(want), key=repr):
            if have.get(key) != want.get(key):
                shown = ", ".join(str(k) for k in key)
                lines.append(f"{table.name} ({shown}): 存 {have.get(key)}，应为 {want.get(key)}")
    return lines


def _rollup_select(rollup: Rollup):
    """PostgreSQL's form of ``rollup.of``: its rows summed from hazard_counts."""
    c = FINE.c
    n = func.sum(c.hazards)
    measures = {
        "hazards": n,
        "overdue": n.filter(c.overdue.is_(True)),
        "major": n.filter(c.severity == "major"),
        "rectified": n.filter(c.status.in_(sorted(stages.FIXED))),
        "in_remediation": n.filter(c.status.in_(sorted(stages.UNDER_REMEDIATION))),
        "closed": func.sum(c.closed),
        "micros_to_close": func.sum(c.micros_to_close),
    }
    keys = [c[k] for k in rollup.key]
    # FILTER over no row is NULL: the counts are NOT NULL.
    return select(*keys, *(func.coalesce(measures[m], 0) for m in rollup.measures)).group_by(*keys)


def rebuild(session: Session, tz: str) -> None:
    """Every table emptied and counted again from the projection (which already holds
    what the noted changes say: they are dropped)."""
    session.info.get(_PENDING, []).clear()
    for table in TABLES:
        session.execute(delete(table))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(insert(FINE).from_select([*FINE_KEY, *FINE_MEASURES], _fine_select(tz)))
        for r in ROLLUPS:
            session.execute(insert(r.table).from_select([*r.key, *r.measures], _rollup_select(r)))
        return
    for table, counts in zip(TABLES, recompute(session, tz), strict=True):
        key = [c.name for c in table.primary_key.columns]
        measures = [c.name for c in table.columns if not c.primary_key]
        rows = [dict(zip((*key, *measures), (*k, *v), strict=True)) for k, v in counts.items()]
        if rows:
            session.execute(insert(table), rows)
