"""Transactional outbox: the event row is written in the caller's transaction.

The row's autoincrement ``id`` gives publication order; ``published_at`` stays NULL
until the broker has confirmed the message. Rows are kept after publication: they
are the service's event log, which ``campus-safety replay`` re-publishes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared import context
from shared.db import EventTablesBase, UTCDateTime
from shared.events.catalog import serialize_data
from shared.events.envelope import Envelope
from shared.timeutil import utcnow


class OutboxMessage(EventTablesBase):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        Index(
            "ix_outbox_unsent",
            "id",
            postgresql_where=published_at.is_(None),
            sqlite_where=published_at.is_(None),
        ),
    )


def record_event(session: Session, **event: Any) -> Envelope:
    """Validate the event against the catalogue and add it to the session's transaction
    (the arguments are ``new_event``'s)."""
    envelope, message = new_event(**event)
    session.add(message)
    return envelope


def new_event(
    *,
    event_type: str,
    source: str,
    subject: str,
    sequence: int,
    data: dict[str, Any],
    version: int = 1,
    actor: str | None = None,
    correlation_id: str | None = None,
    occurred_at: datetime | None = None,
) -> tuple[Envelope, OutboxMessage]:
    """The event, validated against the catalogue, and its outbox row, for a caller that
    writes the row itself. ``occurred_at``: when the change happened, if the command was
    given its clock."""
    extra = {"occurred_at": occurred_at} if occurred_at is not None else {}
    envelope = Envelope(
        type=event_type,
        version=version,
        source=source,
        subject=str(subject),
        sequence=sequence,
        data=serialize_data(event_type, version, data),
        actor=actor if actor is not None else context.actor.get(),
        correlation_id=correlation_id if correlation_id is not None else context.request_id.get(),
        **extra,
    )
    message = OutboxMessage(
        event_id=envelope.id,
        event_type=envelope.type,
        subject=envelope.subject,
        sequence=envelope.sequence,
        body=envelope.to_json().decode(),
    )
    return envelope, message
