"""Projections: local copies of another service's aggregates, fed by events.

``upsert_newer`` writes an aggregate's state only if the event is newer than what the
row holds, in one atomic statement (INSERT … ON CONFLICT DO UPDATE … WHERE
last_sequence < new). Duplicates and stale, reordered events change nothing, and two
consumers racing on the same aggregate cannot overwrite a newer state with an older one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert_newer(
    session: Session, model: type, key: str, values: dict[str, Any], sequence: int
) -> None:
    table = model.__table__
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # A projection keeps the subset of the event's state it needs.
    row = {k: v for k, v in values.items() if k in table.c} | {"last_sequence": sequence}
    stmt = insert(table).values(row)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={name: stmt.excluded[name] for name in row if name != key},
        where=table.c.last_sequence < stmt.excluded.last_sequence,
    )
    session.execute(stmt)
