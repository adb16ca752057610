"""Hazard numbers (YH-2021-00042): unique and gap-free per year, taken last in the
creating transaction so the year's locked counter row is held as briefly as possible."""

from __future__ import annotations

import uuid

from sqlalchemy import func, text, update
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


# PostgreSQL: counter, hazard and its announcement numbered in one round trip.
_NUMBER_IN_ONE_STATEMENT = text(
    """
    WITH serial AS (
        INSERT INTO hazard_number_counters (year, last_serial) VALUES (:year, 1)
        ON CONFLICT (year) DO UPDATE SET last_serial = hazard_number_counters.last_serial + 1
        RETURNING last_serial
    ), numbered AS (
        UPDATE hazards SET number = :prefix || lpad(
            serial.last_serial::text, greatest(:width, length(serial.last_serial::text)), '0'
        )
        FROM serial WHERE hazards.id = :hazard_id
        RETURNING hazards.number
    ), announced AS (
        UPDATE outbox SET body = replace(outbox.body, :pending, numbered.number)
        FROM numbered WHERE outbox.event_id = :event_id
        RETURNING 1
    )
    SELECT number FROM numbered
    """
)


def pending_number() -> str:
    """A unique stand-in until ``assign_number`` (32 characters, like a real number)."""
    return "YH-PENDING-" + uuid.uuid4().hex[:21]


def assign_number(session: Session, hazard: Hazard, year: int, event_id: str) -> None:
    """Give the hazard its gap-free number as the transaction's last write.

    The year's counter row stays locked from here to the commit, so concurrent creates
    queue on it: taking it last (everything else already written, with a stand-in number)
    keeps that queue short. The stand-in is replaced in the hazard and in the event
    ``event_id`` that announced it.
    """
    pending = hazard.number
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        number = session.execute(
            _NUMBER_IN_ONE_STATEMENT,
            {
                "year": year,
                "prefix": domain.number_prefix(year),
                "width": domain.NUMBER_WIDTH,
                "hazard_id": hazard.id,
                "event_id": event_id,
                "pending": pending,
            },
        ).scalar_one()
    else:
        number = domain.format_number(year, next_serial(session, year))
        session.execute(update(Hazard).where(Hazard.id == hazard.id).values(number=number))
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.event_id == event_id)
            .values(body=func.replace(OutboxMessage.body, pending, number))
        )
    set_committed_value(hazard, "number", number)
