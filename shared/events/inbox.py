"""Inbox: ids of events a service has applied, written in the handler's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import String, insert, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared import bulk
from shared.db import EventTablesBase, UTCDateTime
from shared.timeutil import utcnow


class InboxMessage(EventTablesBase):
    __tablename__ = "inbox"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32))
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def already_processed(session: Session, event_ids: Iterable[str]) -> set[str]:
    ids = list(event_ids)
    if not ids:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        # One array parameter: the same statement text for every batch (prepared once),
        # where IN (…) would be a new statement for each number of ids.
        return set(session.connection().execute(_PROCESSED_ANY, {"ids": ids}).scalars())
    rows = session.scalars(select(InboxMessage.event_id).where(InboxMessage.event_id.in_(ids)))
    return set(rows)


_PROCESSED_ANY = text("SELECT event_id FROM inbox WHERE event_id = ANY(CAST(:ids AS text[]))")


def record_processed(session: Session, events: list[tuple[str, str, str]]) -> None:
    """Inbox rows for (event id, type, source) of a consumer's batch, in one statement on
    the session's connection (on PostgreSQL one parameter: ``shared.bulk``)."""
    if not events:
        return
    now = utcnow()
    rows = [
        {"event_id": event_id, "event_type": event_type, "source": source, "processed_at": now}
        for event_id, event_type, source in events
    ]
    table = InboxMessage.__table__
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(bulk.insert_rows(table, tuple(rows[0])), {"rows": bulk.rows_json(rows)})
    else:
        connection.execute(insert(table), rows)


def claim(session: Session, events: list[tuple[str, str, str]]) -> set[str] | None:
    """On PostgreSQL: inbox rows for those of (event id, type, source) not there yet, in
    one statement; the ids written (the events to apply). A row another consumer is
    writing makes this wait for its transaction: committed, the event is not claimed
    again. None elsewhere: ``already_processed``, then ``record_processed``."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return None
    if not events:
        return set()
    now = utcnow().isoformat()  # one moment for the batch, formatted once
    rows = [
        {"event_id": event_id, "event_type": event_type, "source": source, "processed_at": now}
        for event_id, event_type, source in sorted(events)
    ]
    stmt = bulk.insert_rows(InboxMessage.__table__, tuple(rows[0]), _CLAIM, "event_id")
    return set(connection.execute(stmt, {"rows": bulk.rows_json(rows)}).scalars())


_CLAIM = "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
