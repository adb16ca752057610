"""Hazard numbers (YH-2021-00042): unique and gap-free per year, taken last in the
creating transaction so the year's locked counter row is held as briefly as possible."""

from __future__ import annotations

import uuid

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from services.hazards import domain
from services.hazards.models import Hazard, HazardNumberCounter
from shared.events.outbox import OutboxMessage


def next_serial(session: Session, year: int) -> int:
    """Atomically take the next serial of ``year`` (row-locked until commit: gap-free)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(HazardNumberCounter)
        .values(year=year, last_serial=1)
        .on_conflict_do_update(
            index_elements=[HazardNumberCounter.year],
            set_={"last_serial": HazardNumberCounter.last_serial + 1},
        )
        .returning(HazardNumberCounter.last_serial)
    )
    return int(session.execute(stmt).scalar_one())


def pending_number() -> str:
    """A unique stand-in until ``assign_number`` (32 characters, like a real number)."""
    return "YH-PENDING-" + uuid.uuid4().hex[:21]


def assign_number(session: Session, hazard: Hazard, year: int, event_id: str) -> None:
    """Give the flushed hazard its gap-free number as the transaction's last write, and
    put it in the event ``event_id`` that announced it in place of the stand-in (what
    ``writes.write_numbered`` does in one statement on PostgreSQL).

    The year's counter row stays locked from here to the commit, so concurrent creates
    queue on it: taking it last (everything else already written) keeps that queue short.
    """
    pending = hazard.number
    session.flush()
    number = domain.format_number(year, next_serial(session, year))
    session.execute(update(Hazard).where(Hazard.id == hazard.id).values(number=number))
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.event_id == event_id)
        .values(body=func.replace(OutboxMessage.body, pending, number))
    )
    set_committed_value(hazard, "number", number)
