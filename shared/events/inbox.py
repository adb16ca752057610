"""Inbox: ids of events a service has applied, written in the handler's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

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
    rows = session.scalars(select(InboxMessage.event_id).where(InboxMessage.event_id.in_(ids)))
    return set(rows)
