"""The vehicles register's sweep: one hazard per lapse (年检、保险、驾驶证、安全教育) of a
vehicle in use or a driver on duty, opened through the ledger's own create command. The
hazard's source_ref (domain.lapse_ref) is unique in the ledger, so a second run opens
nothing, and a renewal that lapses again opens a new one."""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.hazards import commands as ledger
from services.hazards.models import Hazard
from services.hazards.registers.vehicles import domain
from services.hazards.registers.vehicles.models import Driver, Vehicle
from shared.config import Settings
from shared.db import unit_of_work
from shared.errors import DomainError
from shared.timeutil import campus_today, utcnow

log = logging.getLogger("campus.hazards.registers")


def open_lapse_hazards(session: Session, now: datetime, campus_tz: str) -> int:
    """Open the hazards of today's lapses; returns how many were opened."""
    today = campus_today(campus_tz, now)
    opened = 0
    vehicles = session.scalars(
        select(Vehicle)
        .where(Vehicle.status == domain.VehicleStatus.IN_USE.value)
        .order_by(Vehicle.plate_no)
        .with_for_update(skip_locked=True)  # a concurrent sweep takes the others
    ).all()
    for v in vehicles:
        for lapse in domain.vehicle_lapses(v.inspection_due, v.insurance_due, today):
            until = getattr(v, lapse.value)
            text = domain.vehicle_hazard_description(v.plate_no, v.kind, lapse, until)
            ref = domain.lapse_ref("vehicle", v.id, lapse, until)
            opened += _open(session, v, domain.VEHICLE_SUBCATEGORY, text, ref, now, campus_tz)
    drivers = session.scalars(
        select(Driver)
        .where(Driver.status == domain.DriverStatus.ACTIVE.value)
        .order_by(Driver.staff_no)
        .with_for_update(skip_locked=True)
    ).all()
    for d in drivers:
        for lapse in domain.driver_lapses(d.licence_expiry, d.last_education_on, today):
            until = _driver_until(d, lapse)
            text = domain.driver_hazard_description(d.name, d.staff_no, lapse, until)
            ref = domain.lapse_ref("driver", d.id, lapse, until)
            opened += _open(session, d, domain.DRIVER_SUBCATEGORY, text, ref, now, campus_tz)
    return opened


def _driver_until(driver: Driver, lapse: domain.Lapse) -> date | None:
    if lapse == domain.Lapse.EDUCATION:
        return domain.education_valid_until(driver.last_education_on)
    return driver.licence_expiry


def _open(
    session: Session,
    record: Vehicle | Driver,
    subcategory: str,
    description: str,
    ref: str,
    now: datetime,
    campus_tz: str,
) -> int:
    """1 if the lapse's hazard was opened now; in a savepoint, so one bad record does not
    block the others."""
    if session.scalar(
        select(Hazard.id).where(Hazard.source == domain.SOURCE, Hazard.source_ref == ref)
    ):
        return 0
    try:
        with session.begin_nested():
            ledger.create_hazard(
                session,
                ledger.SYSTEM,
                category=domain.CATEGORY,
                subcategory=subcategory,
                description=description,
                cell_id=record.cell_id,
                found_at=now,
                campus_tz=campus_tz,
                source=domain.SOURCE,
                source_ref=ref,
            )
    except DomainError as exc:
        log.warning("vehicles register %s: no hazard opened: %s", ref, exc)
        return 0
    return 1


def run_vehicles_sweep(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> int:
    """The worker's periodic task (services.hazards.sweeps.TASKS signature)."""
    with unit_of_work(factory) as session:
        return open_lapse_hazards(session, now or utcnow(), settings.campus_timezone)
