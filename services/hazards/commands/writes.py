"""The ledger's hot writes in as few round trips as the database allows.

On PostgreSQL a report (the hazard, its lead departments, its first transition, its
outbox event, its number) and a step of the loop (the hazard's changes, the transition,
the outbox event) are each one data-modifying CTE statement: the database waits on the
round trips, not on the rows (bench/README.md, ``profile_writes.py``). Foreign keys are
checked at the end of the statement, so parents and children may be written together.
SQLite (the embedded default) gets the ORM's flush. This module is the one place that
tells them apart.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CTE, Select, Text, cast, func, insert, inspect, literal, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from services.hazards import domain
from services.hazards.commands.numbering import assign_number
from services.hazards.models import Hazard, HazardNumberCounter
from shared.db import row_values
from shared.events.outbox import OutboxMessage
from shared.timeutil import utcnow


def _in_one_statement(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def write_numbered(session: Session, hazard: Hazard, rows: list[object], year: int) -> None:
    """Write a new hazard (its number still ``pending_number()``), its lead departments and
    ``rows`` (its transition, its outbox event), and give it its gap-free number, as the
    transaction's last writes; the stand-in is replaced wherever it was written.

    PostgreSQL: one statement, after which the hazard and its leads are persistent in the
    session as if flushed. SQLite: a flush, then ``assign_number``.
    """
    session.flush()  # what the transaction wrote before stays first (outbox order)
    if not _in_one_statement(session):
        session.add(hazard)
        session.add_all(rows)
        event_ids = [row.event_id for row in rows if isinstance(row, OutboxMessage)]
        assign_number(session, hazard, year, event_ids[0])
        return
    for lead in hazard.leads:
        lead.hazard_id = hazard.id
    statement = _numbered_insert(hazard, [*hazard.leads, *rows], year)
    hazard.number = session.execute(statement).scalar_one()
    for lead in hazard.leads:
        make_transient_to_detached(lead)
    make_transient_to_detached(hazard)
    session.add(hazard)  # persistent, nothing left to flush; its leads with it


def write_step(session: Session, hazard: Hazard, rows: list[object]) -> None:
    """Write a step of the loop: the hazard's changes (set on it, not yet flushed) and
    ``rows`` (its transition, its outbox event).

    PostgreSQL, when nothing else waits to be flushed: one statement, after which the
    hazard is clean in the session. Otherwise the rows join the session's next flush,
    after what was added before them (outbox order)."""
    others = session.new or any(other is not hazard for other in session.dirty)
    if others or not _in_one_statement(session):
        session.add_all(rows)
        return
    changes = _changes(hazard)
    changed = update(Hazard).where(Hazard.id == hazard.id).values(changes).cte("changed")
    written = [
        insert(row.__table__).values(row_values(row)).cte(f"row{i}") for i, row in enumerate(rows)
    ]  # type: ignore[attr-defined]
    with session.no_autoflush:  # the changes are this statement's, not a flush's
        session.execute(select(literal(1)).add_cte(changed, *written))
    for key, value in changes.items():
        set_committed_value(hazard, _attribute(key), value)


def _changes(hazard: Hazard) -> dict[str, Any]:
    """The hazard's changed columns by name, ``updated_at`` stamped as the ORM would."""
    state = inspect(hazard)
    hazard.updated_at = utcnow()
    changes = {}
    for prop in state.mapper.column_attrs:
        if state.attrs[prop.key].history.added:
            changes[prop.columns[0].name] = getattr(hazard, prop.key)
    return changes


def _attribute(column: str) -> str:
    return Hazard.__mapper__.get_property_by_column(Hazard.__table__.c[column]).key


def _numbered_insert(hazard: Hazard, rows: list[object], year: int) -> Select:
    """WITH serial (the year's counter, locked), numbered (the hazard, numbered from it),
    then each row, its stand-in number replaced: SELECT the number. The values are bound
    as VALUES of their table, so PostgreSQL types them as the columns."""
    counter = HazardNumberCounter.__table__
    serial = (
        postgresql.insert(counter)
        .values(year=year, last_serial=1)
        .on_conflict_do_update(
            index_elements=[counter.c.year], set_={"last_serial": counter.c.last_serial + 1}
        )
        .returning(counter.c.last_serial)
        .cte("serial")
    )
    digits = cast(serial.c.last_serial, Text)
    formatted = literal(domain.number_prefix(year)).concat(
        func.lpad(digits, func.greatest(domain.NUMBER_WIDTH, func.length(digits)), "0")
    )
    hazards = Hazard.__table__
    values = {**row_values(hazard), "number": select(formatted).scalar_subquery()}
    numbered = insert(hazards).values(values).returning(hazards.c.number).cte("numbered")
    number = select(numbered.c.number).scalar_subquery()
    written: list[CTE] = []
    for i, row in enumerate(rows):
        values = {
            name: func.replace(value, hazard.number, number)
            if isinstance(value, str) and hazard.number in value
            else value
            for name, value in row_values(row).items()
        }
        table = row.__table__  # type: ignore[attr-defined]
        written.append(insert(table).values(values).cte(f"row{i}"))
    return select(numbered.c.number).add_cte(*written)
