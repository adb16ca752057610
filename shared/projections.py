"""Projections: local copies of another service's aggregates, fed by events.

``upsert_newer`` writes an aggregate's state only if the event is newer than what the
row holds, in one atomic statement (INSERT … ON CONFLICT DO UPDATE … WHERE
last_sequence < new). Duplicates and stale, reordered events change nothing, and two
consumers racing on the same aggregate cannot overwrite a newer state with an older one.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert


def upsert_newer(
    session: Session, model: type, key: str, values: dict[str, Any], sequence: int
) -> None:
    table = model.__table__
    # A projection keeps the subset of the event's state it needs.
    row = {k: v for k, v in values.items() if k in table.c} | {"last_sequence": sequence}
    dialect = session.get_bind().dialect.name
    session.execute(_upsert_statement(table, key, tuple(sorted(row)), dialect), row)


@lru_cache(maxsize=256)
def _upsert_statement(table: Table, key: str, columns: tuple[str, ...], dialect: str) -> Insert:
    """Built once per shape: constructing the statement cost more than running it (the
    consumer applies thousands of events a second); values travel as bound parameters."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={name: stmt.excluded[name] for name in columns if name != key},
        where=table.c.last_sequence < stmt.excluded.last_sequence,
    )
