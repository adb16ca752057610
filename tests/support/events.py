"""Events in tests: envelopes as their source service writes them, and consumer batches as
a worker applies them (JSON off the wire, ``apply_batch``, one commit)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shared.events.catalog import serialize_data
from shared.events.consumer import ACK, Delivery, Handler, apply_batch
from shared.events.envelope import Envelope


def event(
    event_type: str,
    source: str,
    subject: str,
    data: Mapping[str, Any],
    sequence: int = 1,
    occurred_at: datetime | None = None,
) -> Envelope:
    """A version-1 ``event_type`` of ``subject`` from ``source``, its data serialized by
    the catalog (dates as text, as on the wire)."""
    extra = {"occurred_at": occurred_at} if occurred_at else {}
    return Envelope(
        event_type,
        1,
        source,
        subject,
        sequence,
        serialize_data(event_type, 1, dict(data)),
        **extra,
    )


def grid_event(
    event_type: str,
    subject: str,
    data: Mapping[str, Any],
    sequence: int = 1,
    occurred_at: datetime | None = None,
) -> Envelope:
    """A grid event (unit.changed, cell.changed, assignment.changed …)."""
    return event(event_type, "grid", subject, data, sequence, occurred_at)


def deliveries(events: Iterable[Envelope]) -> list[Delivery]:
    """The events as a consumer receives them: JSON bodies, delivery tags from 1."""
    return [Delivery(tag, e.to_json(), 0) for tag, e in enumerate(events, start=1)]


def consume(
    session: Session, handlers: Mapping[str, Handler], events: Iterable[Envelope]
) -> dict[int, str]:
    """One consumer batch of ``events`` applied and committed; the outcome of each tag."""
    outcomes = apply_batch(session, handlers, deliveries(events))
    session.commit()
    return outcomes


def feed(session: Session, handlers: Mapping[str, Handler], events: Iterable[Envelope]) -> None:
    """:func:`consume`, every event acknowledged."""
    outcomes = consume(session, handlers, events)
    assert set(outcomes.values()) == {ACK}, outcomes
