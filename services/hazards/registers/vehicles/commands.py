"""Use cases of the vehicles and drivers register: register and edit vehicles and drivers,
record trips (refused for a lapsed vehicle or driver), list what falls due, and the sweep
that opens one hazard per lapse."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, case, literal, or_, select
from sqlalchemy.orm import Session

from services.hazards.registers import access
from services.hazards.registers.domain import already_used, invalid
from services.hazards.registers.rows import LABELS, apply_changes, get_or_404
from services.hazards.registers.vehicles import domain
from services.hazards.registers.vehicles.models import Driver, Trip, Vehicle
from shared.errors import check_version
from shared.principal import Principal

LABELS.setdefault("vehicle", "车辆")
LABELS.setdefault("driver", "驾驶人")


# -- vehicles ---------------------------------------------------------------------------------
def register_vehicle(session: Session, principal: Principal, **fields: Any) -> Vehicle:
    cell = access.place(session, fields["cell_id"])
    access.require_writer(principal, cell.unit_code)
    _check_free(session, Vehicle.plate_no, "plate_no", fields["plate_no"], "号牌号码")
    vehicle = Vehicle(**fields, unit_code=cell.unit_code, created_by=principal.sub, version=1)
    session.add(vehicle)
    session.flush()
    return vehicle


def _check_free(session: Session, column, name: str, value: str, what: str, exclude=None) -> None:
    other = session.scalar(select(column.class_.id).where(column == value))
    if other is not None and other != exclude:
        raise already_used(name, "已登记", f"{what} {value} 已登记")


def get_vehicle(
    session: Session, principal: Principal, vehicle_id: str, lock: bool = False
) -> Vehicle:
    vehicle = get_or_404(session, Vehicle, vehicle_id, "vehicle", lock)
    access.require_reader(
        session, principal, vehicle.unit_code, domain.CATEGORY, f"车辆 {vehicle.plate_no} "
    )
    return vehicle


def update_vehicle(
    session: Session,
    principal: Principal,
    vehicle_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> Vehicle:
    vehicle = get_vehicle(session, principal, vehicle_id, lock=True)
    access.require_writer(principal, vehicle.unit_code)
    check_version(vehicle, if_match, "车辆")
    changes = _moved(session, principal, vehicle, dict(changes))
    if "plate_no" in changes:
        _check_free(
            session, Vehicle.plate_no, "plate_no", changes["plate_no"], "号牌号码", vehicle.id
        )
    # a renewal (年检, 保险) is a PATCH of its date: the next lapse has its own hazard ref
    if apply_changes(vehicle, changes):
        vehicle.version += 1
    return vehicle


def _moved(session: Session, principal: Principal, record: Any, changes: dict) -> dict:
    """A new place must be one the caller may write, and brings its unit."""
    if "cell_id" in changes and changes["cell_id"] != record.cell_id:
        cell = access.place(session, changes["cell_id"])
        access.require_writer(principal, cell.unit_code)
        changes["unit_code"] = cell.unit_code
    return changes


# -- drivers ----------------------------------------------------------------------------------
def register_driver(session: Session, principal: Principal, **fields: Any) -> Driver:
    cell = access.place(session, fields["cell_id"])
    access.require_writer(principal, cell.unit_code)
    _check_free(session, Driver.staff_no, "staff_no", fields["staff_no"], "工号")
    driver = Driver(
        **fields,
        education_due=domain.education_valid_until(fields.get("last_education_on")),
        unit_code=cell.unit_code,
        created_by=principal.sub,
        version=1,
    )
    session.add(driver)
    session.flush()
    return driver


def get_driver(
    session: Session, principal: Principal, driver_id: str, lock: bool = False
) -> Driver:
    driver = get_or_404(session, Driver, driver_id, "driver", lock)
    access.require_reader(
        session, principal, driver.unit_code, domain.CATEGORY, f"驾驶人 {driver.name} "
    )
    return driver


def update_driver(
    session: Session,
    principal: Principal,
    driver_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> Driver:
    driver = get_driver(session, principal, driver_id, lock=True)
    access.require_writer(principal, driver.unit_code)
    check_version(driver, if_match, "驾驶人")
    changes = _moved(session, principal, driver, dict(changes))
    if "staff_no" in changes:
        _check_free(session, Driver.staff_no, "staff_no", changes["staff_no"], "工号", driver.id)
    if changes.get("last_education_on", driver.last_education_on) != driver.last_education_on:
        # a date typed by hand (补录) replaces the activity's: the page then says 手工录入
        changes["education_due"] = domain.education_valid_until(changes["last_education_on"])
        changes["last_education_activity_id"] = None
        changes["last_education_activity_title"] = None
    else:
        changes.pop("last_education_on", None)  # the form sent the date back unchanged
    if apply_changes(driver, changes):
        driver.version += 1
    return driver


# -- trips ------------------------------------------------------------------------------------
def record_trip(
    session: Session,
    principal: Principal,
    *,
    vehicle_id: str,
    driver_id: str,
    trip_on: date,
    purpose: str,
) -> Trip:
    """出车登记: refused (409) when the vehicle or the driver is lapsed on the trip's day."""
    vehicle = _party(session, principal, Vehicle, vehicle_id, "vehicle_id", "车辆")
    driver = _party(session, principal, Driver, driver_id, "driver_id", "驾驶人")
    access.require_writer(principal, vehicle.unit_code)
    domain.check_trip(
        domain.TripParty(
            label=f"车辆 {vehicle.plate_no}",
            lapses=domain.vehicle_lapses(vehicle.inspection_due, vehicle.insurance_due, trip_on),
            field="vehicle_id",
            status_ok=vehicle.status == domain.VehicleStatus.IN_USE,
            status_reason="车辆不在用（停用或报废）",
        ),
        domain.TripParty(
            label=f"驾驶人 {driver.name}",
            lapses=domain.driver_lapses(driver.licence_expiry, driver.last_education_on, trip_on),
            field="driver_id",
            status_ok=driver.status == domain.DriverStatus.ACTIVE,
            status_reason="驾驶人已离岗",
        ),
    )
    trip = Trip(
        vehicle_id=vehicle.id,
        driver_id=driver.id,
        unit_code=vehicle.unit_code,
        trip_on=trip_on,
        purpose=purpose,
        recorded_by=principal.sub,
    )
    session.add(trip)
    session.flush()
    return trip


def _party(session: Session, principal: Principal, model: type, key: str, field: str, what: str):
    """The trip's vehicle or driver; an unknown id is a 422 naming the field."""
    record = session.get(model, key)
    if record is None:
        raise invalid(field, f"{what}不存在")
    access.require_reader(session, principal, record.unit_code, domain.CATEGORY, f"{what} ")
    return record


def trips_query(principal: Principal, filters: Mapping[str, Any]) -> Select:
    stmt = access.visible(select(Trip), principal, Trip.unit_code, literal(domain.CATEGORY))
    for key in ("unit_code", "vehicle_id", "driver_id"):
        if filters.get(key):
            stmt = stmt.where(getattr(Trip, key) == filters[key])
    if filters.get("since"):
        stmt = stmt.where(Trip.trip_on >= filters["since"])
    if filters.get("until"):
        stmt = stmt.where(Trip.trip_on <= filters["until"])
    return stmt.order_by(Trip.trip_on.desc(), Trip.recorded_at.desc())


# -- lists ------------------------------------------------------------------------------------
def vehicles_query(principal: Principal, filters: Mapping[str, Any], today: date) -> Select:
    stmt = access.visible(select(Vehicle), principal, Vehicle.unit_code, literal(domain.CATEGORY))
    for key in ("unit_code", "cell_id", "kind", "status"):
        if filters.get(key):
            stmt = stmt.where(getattr(Vehicle, key) == filters[key])
    dates = (Vehicle.inspection_due, Vehicle.insurance_due)
    stmt = _due_filter(stmt, filters.get("due"), dates, today)
    if filters.get("sort") == "due":  # the due list: the soonest lapse first
        return stmt.order_by(_least(dates), Vehicle.plate_no)
    return stmt.order_by(Vehicle.unit_code, Vehicle.plate_no)


def drivers_query(principal: Principal, filters: Mapping[str, Any], today: date) -> Select:
    stmt = access.visible(select(Driver), principal, Driver.unit_code, literal(domain.CATEGORY))
    for key in ("unit_code", "cell_id", "status", "licence_class"):
        if filters.get(key):
            stmt = stmt.where(getattr(Driver, key) == filters[key])
    dates = (Driver.licence_expiry, Driver.education_due)
    if filters.get("due") == domain.DueState.LAPSED:  # never educated counts as lapsed
        stmt = stmt.where(or_(Driver.education_due.is_(None), *(d < today for d in dates)))
    else:
        stmt = _due_filter(stmt, filters.get("due"), dates, today)
    if filters.get("sort") == "due":
        return stmt.order_by(_least(dates), Driver.name)
    return stmt.order_by(Driver.unit_code, Driver.name)


def _least(dates):
    """The earlier of two dates (a missing one first), in SQL SQLite and PostgreSQL share."""
    first, second = dates
    return case((second.is_(None), second), (first <= second, first), else_=second)


def _due_filter(stmt: Select, due: str | None, dates, today: date) -> Select:
    """SQL twin of domain.due_state for the lapsed / due-soon filters."""
    soon = today + timedelta(days=domain.DUE_SOON_DAYS)
    if due == domain.DueState.LAPSED:
        return stmt.where(or_(*(d < today for d in dates)))
    if due == domain.DueState.DUE_SOON:
        return stmt.where(*(d >= today for d in dates), or_(*(d <= soon for d in dates)))
    return stmt
