"""Use cases of the hazard ledger. Each runs inside the caller's unit of work and
writes its outbox event in that same transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.hazards import domain
from services.hazards.models import Hazard, HazardNumberCounter, HazardTransition
from shared.auth import GRID_STAFF, PORTAL, SECURITY_OFFICE, UNIT_MANAGER, Principal
from shared.db import utcnow
from shared.errors import NotFound
from shared.events import record_event

SOURCE = "hazards"
REPORTER_ROLES = (SECURITY_OFFICE, UNIT_MANAGER, GRID_STAFF, PORTAL)


def hazard_state(hazard: Hazard) -> dict[str, Any]:
    """The hazard as carried by every hazard.* event."""
    return {
        "hazard_id": hazard.id,
        "number": hazard.number,
        "unit_code": hazard.unit_code,
        "category": hazard.category,
        "severity": hazard.severity,
        "status": hazard.status,
        "found_at": hazard.found_at,
        "deadline": hazard.deadline,
    }


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


def create_hazard(
    session: Session,
    principal: Principal,
    *,
    unit_code: str,
    category: str,
    description: str,
    severity: str = domain.Severity.GENERAL,
    location: str | None = None,
    found_at: datetime | None = None,
    deadline: date | None = None,
    campus_tz: str = "Asia/Shanghai",
) -> Hazard:
    principal.require_role(*REPORTER_ROLES)
    principal.require_unit(unit_code)
    found_at = found_at or utcnow()
    year = domain.number_year(found_at, campus_tz)
    hazard = Hazard(
        number=domain.format_number(year, next_serial(session, year)),
        unit_code=unit_code,
        category=category,
        severity=str(severity),
        status=domain.Status.DISCOVERED,
        description=description,
        location=location,
        found_by=principal.sub,
        found_at=found_at,
        deadline=deadline,
        version=1,
    )
    session.add(hazard)
    session.flush()
    session.add(
        HazardTransition(
            hazard_id=hazard.id, from_status=None, to_status=hazard.status, actor=principal.sub
        )
    )
    record_event(
        session,
        event_type="hazard.created",
        source=SOURCE,
        subject=hazard.id,
        sequence=hazard.version,
        data=hazard_state(hazard),
    )
    return hazard


def get_hazard(
    session: Session, principal: Principal, hazard_id: str, lock: bool = False
) -> Hazard:
    stmt = select(Hazard).where(Hazard.id == hazard_id)
    if lock:
        stmt = stmt.with_for_update()
    hazard = session.scalars(stmt).one_or_none()
    if hazard is None:
        raise NotFound(f"hazard {hazard_id} does not exist")
    principal.require_unit(hazard.unit_code)
    return hazard


def close_hazard(
    session: Session, principal: Principal, hazard_id: str, comment: str | None = None
) -> Hazard:
    """销号: only the security office closes a hazard out."""
    hazard = get_hazard(session, principal, hazard_id, lock=True)
    principal.require_role(SECURITY_OFFICE)
    previous = domain.Status(hazard.status)
    hazard.status = domain.ensure_can_close(previous)
    hazard.closed_at = utcnow()
    hazard.version += 1
    session.add(
        HazardTransition(
            hazard_id=hazard.id,
            from_status=previous,
            to_status=hazard.status,
            actor=principal.sub,
            comment=comment,
        )
    )
    record_event(
        session,
        event_type="hazard.closed",
        source=SOURCE,
        subject=hazard.id,
        sequence=hazard.version,
        data={**hazard_state(hazard), "closed_at": hazard.closed_at},
    )
    return hazard
