"""Use cases of the special-equipment register: register and edit entries, record periodic
inspections (定期检验), list what falls due, and the sweep that opens a hazard for each
lapse (超期未检)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, literal, select
from sqlalchemy.orm import Session, sessionmaker

from services.hazards import commands as ledger
from services.hazards.models import EquipmentInspection, Hazard, SpecialEquipment
from services.hazards.registers import access
from services.hazards.registers.domain import already_used
from services.hazards.registers.equipment import domain
from services.hazards.registers.rows import apply_changes, get_or_404
from shared.config import Settings
from shared.db import unit_of_work
from shared.errors import DomainError, check_version
from shared.principal import Principal
from shared.timeutil import campus_today, utcnow

log = logging.getLogger("campus.hazards.registers")


def register_equipment(session: Session, principal: Principal, **fields: Any) -> SpecialEquipment:
    cell = access.place(session, fields["cell_id"])
    access.require_writer(principal, cell.unit_code)
    _check_registration_free(session, fields["registration_no"])
    equipment = SpecialEquipment(
        **fields, unit_code=cell.unit_code, created_by=principal.sub, version=1
    )
    session.add(equipment)
    session.flush()
    return equipment


def _check_registration_free(session: Session, number: str, exclude: str | None = None) -> None:
    other = session.scalar(
        select(SpecialEquipment.id).where(SpecialEquipment.registration_no == number)
    )
    if other is not None and other != exclude:
        raise already_used(
            "registration_no",
            "已登记",
            f"注册代码 {number} 已登记",
        )


def get_equipment(
    session: Session, principal: Principal, equipment_id: str, lock: bool = False
) -> SpecialEquipment:
    equipment = get_or_404(session, SpecialEquipment, equipment_id, "equipment", lock)
    access.require_reader(
        session,
        principal,
        equipment.unit_code,
        domain.EQUIPMENT_CATEGORY,
        f"特种设备 {equipment_id} ",
    )
    return equipment


def update_equipment(
    session: Session,
    principal: Principal,
    equipment_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> SpecialEquipment:
    """Edit the register entry. Inspection dates move only by recorded inspections, so each
    change of a due date has a record behind it."""
    equipment = get_equipment(session, principal, equipment_id, lock=True)
    access.require_writer(principal, equipment.unit_code)
    check_version(equipment, if_match, "特种设备")
    changes = dict(changes)
    if "registration_no" in changes:
        _check_registration_free(session, changes["registration_no"], exclude=equipment.id)
    if "cell_id" in changes and changes["cell_id"] != equipment.cell_id:
        cell = access.place(session, changes["cell_id"])
        access.require_writer(principal, cell.unit_code)
        changes["unit_code"] = cell.unit_code
    if apply_changes(equipment, changes):
        equipment.version += 1
    return equipment


def record_periodic_inspection(
    session: Session,
    principal: Principal,
    equipment_id: str,
    *,
    campus_tz: str,
    inspected_on: date,
    result: str,
    next_due: date | None = None,
    agency: str | None = None,
    report_no: str | None = None,
    note: str | None = None,
) -> tuple[EquipmentInspection, SpecialEquipment]:
    """定期检验: keep the record; the newest one sets the last and next inspection dates."""
    equipment = get_equipment(session, principal, equipment_id, lock=True)
    access.require_writer(principal, equipment.unit_code)
    domain.check_periodic_inspection(inspected_on, result, next_due, campus_today(campus_tz))
    record = EquipmentInspection(
        equipment_id=equipment.id,
        inspected_on=inspected_on,
        result=result,
        next_due=next_due,
        agency=agency,
        report_no=report_no,
        note=note,
        recorded_by=principal.sub,
    )
    session.add(record)
    if domain.supersedes(equipment.last_inspected_on, inspected_on):
        equipment.last_inspected_on = inspected_on
        equipment.next_inspection_due = next_due
        equipment.status = domain.status_after(result, equipment.status)
        equipment.version += 1
    session.flush()
    return record, equipment


def equipment_query(principal: Principal, filters: Mapping[str, Any], today: date) -> Select:
    stmt = access.visible(
        select(SpecialEquipment),
        principal,
        SpecialEquipment.unit_code,
        literal(domain.EQUIPMENT_CATEGORY),
    )
    for key in ("unit_code", "cell_id", "kind", "status"):
        if filters.get(key):
            stmt = stmt.where(getattr(SpecialEquipment, key) == filters[key])
    due = filters.get("due")
    if due == domain.DueState.OVERDUE:
        stmt = stmt.where(SpecialEquipment.next_inspection_due < today)
    elif due == domain.DueState.DUE_SOON:
        stmt = stmt.where(
            SpecialEquipment.next_inspection_due >= today,
            SpecialEquipment.next_inspection_due <= today + timedelta(days=domain.DUE_SOON_DAYS),
        )
    if filters.get("sort") == "due":  # the due list: the soonest (or longest overdue) first
        due_on = SpecialEquipment.next_inspection_due
        return stmt.order_by(due_on.is_(None), due_on, SpecialEquipment.registration_no)
    return stmt.order_by(SpecialEquipment.unit_code, SpecialEquipment.registration_no)


# -- the due sweep (超期未检) -----------------------------------------------------------------
def open_due_equipment_hazards(session: Session, now: datetime, campus_tz: str) -> int:
    """Open one hazard per equipment per lapsed due date (超期未检); returns how many.

    The hazard's source_ref "<equipment id>:<due date>" is unique in the ledger, so a
    second run at the same clock opens nothing, and a new lapse after the next recorded
    inspection opens a new one.
    """
    today = campus_today(campus_tz, now)
    candidates = session.scalars(
        select(SpecialEquipment)
        .where(
            SpecialEquipment.status == domain.EquipmentStatus.IN_USE.value,
            SpecialEquipment.next_inspection_due < today,
        )
        .order_by(SpecialEquipment.registration_no)
        .with_for_update(skip_locked=True)  # a concurrent sweep takes the others
    ).all()
    opened = 0
    for equipment in candidates:
        due = equipment.next_inspection_due
        if due is None or not domain.needs_due_hazard(equipment.status, due, today):
            continue
        ref = domain.due_hazard_ref(equipment.id, due)
        if session.scalar(
            select(Hazard.id).where(Hazard.source == "equipment", Hazard.source_ref == ref)
        ):
            continue
        if _open_due_hazard(session, equipment, due, ref, now, campus_tz):
            opened += 1
    return opened


def _open_due_hazard(
    session: Session,
    equipment: SpecialEquipment,
    due: date,
    ref: str,
    now: datetime,
    campus_tz: str,
) -> bool:
    """Open the lapse's hazard in a savepoint: one bad entry must not block the others'."""
    try:
        with session.begin_nested():
            ledger.create_hazard(
                session,
                ledger.SYSTEM,
                category=domain.EQUIPMENT_CATEGORY,
                subcategory=domain.DUE_SUBCATEGORY,
                description=domain.equipment_hazard_description(
                    equipment.name, equipment.kind, equipment.registration_no, due
                ),
                cell_id=equipment.cell_id,
                location=equipment.location,
                found_at=now,
                campus_tz=campus_tz,
                source="equipment",
                source_ref=ref,
            )
    except DomainError as exc:
        log.warning("equipment %s: no hazard opened: %s", equipment.registration_no, exc)
        return False
    return True


def run_equipment_sweep(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> int:
    """The worker's periodic task (services.hazards.sweeps.TASKS signature)."""
    with unit_of_work(factory) as session:
        return open_due_equipment_hazards(session, now or utcnow(), settings.campus_timezone)
