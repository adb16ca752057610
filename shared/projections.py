"""Projections: local copies of another service's aggregates, fed by events.

``upsert_newer`` writes an aggregate's state only if the event is newer than what the
row holds, in one atomic statement (INSERT … ON CONFLICT DO UPDATE … WHERE
last_sequence < new). Duplicates and stale, reordered events change nothing, and two
consumers racing on the same aggregate cannot overwrite a newer state with an older one.
It returns whether the event's state was written: a handler that acts on the change
(raising a flag, say) must not act on a state the row had already moved past.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from shared import bulk


def upsert_newer(
    session: Session, model: type, key: str, values: dict[str, Any], sequence: int
) -> bool:
    """Write the aggregate's state if ``sequence`` is newer than the row's; True if it was
    written (inserted or updated), False if the event was a duplicate or stale."""
    table = model.__table__
    row = _row(table, values, sequence)
    dialect = session.get_bind().dialect.name
    result = session.execute(_upsert_statement(table, key, tuple(sorted(row)), dialect), row)
    # One row per statement: 1 when inserted or updated, 0 when the WHERE kept the newer row
    # (PostgreSQL and SQLite both count an upsert's skipped update as no change).
    if result.rowcount < 0:  # a driver that cannot tell: never guess "stale" or "applied"
        raise RuntimeError(f"{dialect} did not report the rowcount of an upsert")
    return result.rowcount == 1


def upsert_newer_many(
    session: Session, model: type, key: str, states: list[tuple[dict[str, Any], int]]
) -> set[Any]:
    """``upsert_newer`` for many aggregates at once, each at most once (the newest state of
    each, chosen by the caller: one statement cannot update a row twice); the keys whose
    state was written. One statement per shape of row (a batch of events has one or two),
    its rows sorted by key so that concurrent consumers lock them in one order."""
    table = model.__table__
    dialect = session.get_bind().dialect.name
    by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for values, sequence in states:
        row = _row(table, values, sequence)
        by_shape.setdefault(tuple(sorted(row)), []).append(row)
    written: set[Any] = set()
    connection = session.connection()
    for columns, rows in by_shape.items():
        # RETURNING names exactly the rows inserted or updated; a skipped update returns none.
        if dialect == "postgresql":
            stmt = bulk.insert_rows(table, columns, _newer_only(table, key, columns), key)
            result = connection.execute(stmt, {"rows": bulk.rows_json(rows)})
        else:
            rows.sort(key=lambda row: row[key])
            stmt = _upsert_statement(table, key, columns, dialect).returning(table.c[key])
            result = connection.execute(stmt, rows)
        written.update(result.scalars())
    return written


@lru_cache(maxsize=64)
def _newer_only(table: Table, key: str, columns: tuple[str, ...]) -> str:
    """``_upsert_statement``'s conflict clause, as text for ``bulk.insert_rows``."""
    assignments = ", ".join(f"{name} = excluded.{name}" for name in columns if name != key)
    return (
        f"ON CONFLICT ({key}) DO UPDATE SET {assignments} "
        f"WHERE {table.name}.last_sequence < excluded.last_sequence RETURNING {table.name}.{key}"
    )


def _row(table: Table, values: dict[str, Any], sequence: int) -> dict[str, Any]:
    """A projection keeps the subset of the event's state it needs."""
    names = _column_names(table)
    return {k: v for k, v in values.items() if k in names} | {"last_sequence": sequence}


@lru_cache(maxsize=64)
def _column_names(table: Table) -> frozenset[str]:
    return frozenset(table.c.keys())


@lru_cache(maxsize=256)
def _upsert_statement(table: Table, key: str, columns: tuple[str, ...], dialect: str) -> Insert:
    """Built once per shape: constructing the statement cost more than running it (the
    consumer applies thousands of events a second); values travel as bound parameters."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    # preserve_rowcount: SQLAlchemy keeps an INSERT's rowcount only when asked (psycopg
    # reports -1 otherwise); upsert_newer reads it to tell an applied event from a stale one.
    return stmt.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={name: stmt.excluded[name] for name in columns if name != key},
        where=table.c.last_sequence < stmt.excluded.last_sequence,
    ).execution_options(preserve_rowcount=True)
