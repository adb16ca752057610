"""/vehicles, /drivers, /trips: the vehicles and drivers register (通勤车、公务车)."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.hazards.registers.rows import columns
from services.hazards.registers.vehicles import commands, domain, export
from services.hazards.registers.vehicles.models import Driver, Vehicle
from services.hazards.registers.vehicles.schemas import (
    DriverCreateSchema,
    DriverQuerySchema,
    DriverSchema,
    DriverUpdateSchema,
    TripCreateSchema,
    TripQuerySchema,
    TripSchema,
    VehicleCreateSchema,
    VehicleQuerySchema,
    VehicleSchema,
    VehicleUpdateSchema,
)
from shared.api import (
    Blueprint,
    file_response,
    page_of,
    read_session,
    state,
    transaction,
    with_etag,
)
from shared.api import if_match_version as if_match
from shared.auth import current_principal
from shared.timeutil import campus_today

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
blp = Blueprint("vehicles", __name__, url_prefix="/vehicles", description="通勤车、公务车 vehicles")
drivers_blp = Blueprint("drivers", __name__, url_prefix="/drivers", description="驾驶人 drivers")
trips_blp = Blueprint("trips", __name__, url_prefix="/trips", description="出车登记 trips")


def today() -> date:
    return campus_today(state().settings.campus_timezone)


def vehicle_view(vehicle: Vehicle, day: date) -> dict[str, Any]:
    dates = [vehicle.inspection_due, vehicle.insurance_due]
    return {
        **columns(vehicle),
        "lapses": [x.value for x in domain.vehicle_lapses(*dates, day)],
        "due_state": domain.due_state(dates, day).value,
    }


def driver_view(driver: Driver, day: date) -> dict[str, Any]:
    until = domain.education_valid_until(driver.last_education_on)
    lapses = domain.driver_lapses(driver.licence_expiry, driver.last_education_on, day)
    return {
        **columns(driver),
        "education_valid_until": until,
        "education_source": domain.education_source_label(
            driver.last_education_on, driver.last_education_activity_title
        ),
        "lapses": [x.value for x in lapses],
        "due_state": domain.due_state([driver.licence_expiry, until], day).value,
    }


# -- vehicles ---------------------------------------------------------------------------------
@blp.route("", methods=["POST"])
@blp.arguments(VehicleCreateSchema)
@blp.response(201, VehicleSchema)
def register_vehicle(payload):
    """Register a vehicle kept at a place; the plate number (号牌号码) is unique."""
    with transaction() as session:
        vehicle = commands.register_vehicle(session, current_principal(), **payload)
        return with_etag(vehicle, vehicle_view(vehicle, today()), 201)


@blp.route("", methods=["GET"])
@blp.arguments(VehicleQuerySchema, location="query")
@blp.response(200, VehicleSchema(many=True))
@blp.paginate()
def list_vehicles(query, pagination_parameters):
    """The vehicles in the caller's scope; due=lapsed|due_soon and sort=due: the due list."""
    day = today()
    stmt = commands.vehicles_query(current_principal(), query, day)
    return [vehicle_view(v, day) for v in page_of(stmt, pagination_parameters)]


@blp.route("/export.xlsx", methods=["GET"])
@blp.arguments(VehicleQuerySchema, location="query")
@blp.response(200, content_type=XLSX)
def export_register(query):
    """The register (vehicles and drivers in the caller's scope) as an .xlsx."""
    day, principal, session = today(), current_principal(), read_session()
    unit = {"unit_code": query["unit_code"]} if query.get("unit_code") else {}
    vehicles = session.scalars(commands.vehicles_query(principal, query, day)).all()
    drivers = session.scalars(commands.drivers_query(principal, unit, day)).all()
    return file_response(export.register_xlsx(vehicles, drivers, day), XLSX, "vehicles.xlsx")


@blp.route("/<vehicle_id>", methods=["GET"])
@blp.response(200, VehicleSchema)
def get_vehicle(vehicle_id: str):
    vehicle = commands.get_vehicle(read_session(), current_principal(), vehicle_id)
    return with_etag(vehicle, vehicle_view(vehicle, today()))


@blp.route("/<vehicle_id>", methods=["PATCH"])
@blp.arguments(VehicleUpdateSchema)
@blp.response(200, VehicleSchema)
@blp.alt_response(412, description="If-Match does not match the vehicle's version")
def update_vehicle(payload, vehicle_id: str):
    """Edit the vehicle; a renewal of 年检 or 保险 is a new date here."""
    with transaction() as session:
        vehicle = commands.update_vehicle(
            session, current_principal(), vehicle_id, payload, if_match()
        )
        return with_etag(vehicle, vehicle_view(vehicle, today()))


# -- drivers ----------------------------------------------------------------------------------
@drivers_blp.route("", methods=["POST"])
@drivers_blp.arguments(DriverCreateSchema)
@drivers_blp.response(201, DriverSchema)
def register_driver(payload):
    """Register a driver by name and staff number (工号, unique)."""
    with transaction() as session:
        driver = commands.register_driver(session, current_principal(), **payload)
        return with_etag(driver, driver_view(driver, today()), 201)


@drivers_blp.route("", methods=["GET"])
@drivers_blp.arguments(DriverQuerySchema, location="query")
@drivers_blp.response(200, DriverSchema(many=True))
@drivers_blp.paginate()
def list_drivers(query, pagination_parameters):
    day = today()
    stmt = commands.drivers_query(current_principal(), query, day)
    return [driver_view(d, day) for d in page_of(stmt, pagination_parameters)]


@drivers_blp.route("/<driver_id>", methods=["GET"])
@drivers_blp.response(200, DriverSchema)
def get_driver(driver_id: str):
    driver = commands.get_driver(read_session(), current_principal(), driver_id)
    return with_etag(driver, driver_view(driver, today()))


@drivers_blp.route("/<driver_id>", methods=["PATCH"])
@drivers_blp.arguments(DriverUpdateSchema)
@drivers_blp.response(200, DriverSchema)
@drivers_blp.alt_response(412, description="If-Match does not match the driver's version")
def update_driver(payload, driver_id: str):
    """Edit the driver; a renewed licence or a new safety education is a new date here."""
    with transaction() as session:
        driver = commands.update_driver(
            session, current_principal(), driver_id, payload, if_match()
        )
        return with_etag(driver, driver_view(driver, today()))


# -- trips ------------------------------------------------------------------------------------
@trips_blp.route("", methods=["POST"])
@trips_blp.arguments(TripCreateSchema)
@trips_blp.response(201, TripSchema)
@trips_blp.alt_response(409, description="the vehicle or the driver is lapsed on the day")
def record_trip(payload):
    """出车登记: refused (409 naming what lapsed) for a lapsed vehicle or driver."""
    with transaction() as session:
        return commands.record_trip(session, current_principal(), **payload)


@trips_blp.route("", methods=["GET"])
@trips_blp.arguments(TripQuerySchema, location="query")
@trips_blp.response(200, TripSchema(many=True))
@trips_blp.paginate()
def list_trips(query, pagination_parameters):
    return page_of(commands.trips_query(current_principal(), query), pagination_parameters)
