"""我的待办 items for the registers' lapses, for those who keep the registers (the security
office, a unit's manager within its unit): a vehicle or a driver not in force, a building
whose appraisal is unsafe or lapsed, a placement whose start came or is near with something
missing. Each register's own list query (its visibility and its due filter) picks the
records; its domain says what lapsed. The swept hazards say the same in the ledger; these
items point to the record where the renewal is entered."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from services.hazards.registers.buildings import commands as buildings
from services.hazards.registers.buildings import domain as building_rules
from services.hazards.registers.placements import commands as placements
from services.hazards.registers.placements import domain as placement_rules
from services.hazards.registers.vehicles import commands as vehicles
from services.hazards.registers.vehicles import domain as vehicle_rules
from shared.principal import SECURITY_OFFICE, UNIT_MANAGER, Principal
from shared.todo import DEFAULT_LIMIT, TodoItem

KEEPERS = frozenset({SECURITY_OFFICE, UNIT_MANAGER})
VEHICLE, DRIVER, BUILDING, PLACEMENT = (
    "vehicle_lapsed",
    "driver_lapsed",
    "building_unsafe",
    "placement_blocked",
)
KIND_LABELS = {
    VEHICLE: "车辆证照过期",
    DRIVER: "驾驶人资格过期",
    BUILDING: "建筑鉴定",
    PLACEMENT: "实训实习条件不全",
}


def _keeps(principal: Principal) -> bool:
    return bool(KEEPERS & principal.roles) and (principal.is_global or bool(principal.unit))


def _scope(principal: Principal, **filters: str) -> dict[str, str]:
    """A unit's manager keeps his unit's records only (the lists also show a lead
    department's categories, which are not his to renew)."""
    if SECURITY_OFFICE in principal.roles:
        return filters
    return {**filters, "unit_code": principal.unit or ""}


def lapse_items(
    session: Session, principal: Principal, today: date, limit: int = DEFAULT_LIMIT
) -> list[TodoItem]:
    if not _keeps(principal):
        return []
    return (
        _vehicles(session, principal, today, limit)
        + _drivers(session, principal, today, limit)
        + _buildings(session, principal, today, limit)
        + _placements(session, principal, today, limit)
    )


def _vehicles(session: Session, principal: Principal, today: date, limit: int) -> list[TodoItem]:
    stmt = vehicles.vehicles_query(
        principal, _scope(principal, due="lapsed", status="in_use"), today
    )
    items = []
    for v in session.scalars(stmt.limit(limit)):
        lapses = vehicle_rules.vehicle_lapses(v.inspection_due, v.insurance_due, today)
        if lapses:
            what = "、".join(vehicle_rules.LAPSE_LABELS[lapse] for lapse in lapses)
            due = min(v.inspection_due, v.insurance_due)
            items.append(
                TodoItem(
                    VEHICLE,
                    KIND_LABELS[VEHICLE],
                    f"{v.plate_no}：{what}",
                    due,
                    True,
                    {"vehicle_id": v.id},
                )
            )
    return items


def _drivers(session: Session, principal: Principal, today: date, limit: int) -> list[TodoItem]:
    stmt = vehicles.drivers_query(
        principal, _scope(principal, due="lapsed", status="active"), today
    )
    items = []
    for d in session.scalars(stmt.limit(limit)):
        lapses = vehicle_rules.driver_lapses(d.licence_expiry, d.last_education_on, today)
        if lapses:
            what = "、".join(vehicle_rules.LAPSE_LABELS[lapse] for lapse in lapses)
            items.append(
                TodoItem(
                    DRIVER,
                    KIND_LABELS[DRIVER],
                    f"驾驶人{d.name}：{what}",
                    d.licence_expiry,
                    True,
                    {"driver_id": d.id},
                )
            )
    return items


def _buildings(session: Session, principal: Principal, today: date, limit: int) -> list[TodoItem]:
    items = []
    for due in ("unsafe", "lapsed"):
        for b in session.scalars(
            buildings.building_query(principal, _scope(principal, due=due), today).limit(limit)
        ):
            state = building_rules.appraisal_state(b.appraisal_grade, b.appraisal_due, today)
            label = building_rules.APPRAISAL_STATE_LABELS[state]
            items.append(
                TodoItem(
                    BUILDING,
                    KIND_LABELS[BUILDING],
                    f"{b.name}：{label}",
                    b.appraisal_due,
                    True,
                    {"building_id": b.id},
                )
            )
    return items


def _placements(session: Session, principal: Principal, today: date, limit: int) -> list[TodoItem]:
    soon = today + timedelta(days=placement_rules.DUE_SOON_DAYS)
    items = []
    for due in ("blocked", "due_soon"):
        for p in session.scalars(
            placements.placement_query(principal, _scope(principal, due=due), today).limit(limit)
        ):
            missing = placement_rules.missing_for_start(placements.readiness(session, p))
            what = "缺" + placement_rules.missing_labels(missing)
            overdue = p.starts_on <= today
            title = f"{p.title}（{p.host_name}）：{what}"
            if p.starts_on <= soon:
                items.append(
                    TodoItem(
                        PLACEMENT,
                        KIND_LABELS[PLACEMENT],
                        title,
                        p.starts_on,
                        overdue,
                        {"placement_id": p.id},
                    )
                )
    return items
