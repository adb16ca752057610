"""/food-outlets: the food-safety register (食品安全): outlets, their licences and staff health
certificates, daily records (陪餐、留样、农残检测、冷链溯源), and the register as .xlsx."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from services.hazards.registers.food_safety import commands, domain, exports
from services.hazards.registers.food_safety.models import (
    FoodCertificate,
    FoodDailyRecord,
    FoodOutlet,
)
from services.hazards.registers.food_safety.schemas import (
    CertificateCreateSchema,
    CertificateSchema,
    OutletCreateSchema,
    OutletQuerySchema,
    OutletSchema,
    OutletUpdateSchema,
    RecordCreateSchema,
    RecordQuerySchema,
    RecordSchema,
)
from services.hazards.registers.rows import columns
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
EXPORT_ROWS = 5_000  # outlets per export: a college has tens

blp = Blueprint(
    "food_safety", __name__, url_prefix="/food-outlets", description="食品安全 food safety"
)


def today() -> date:
    return campus_today(state().settings.campus_timezone)


def view(outlet: FoodOutlet, soonest: date | None, day: date) -> dict[str, Any]:
    """The outlet with its soonest certificate expiry and that one's due state."""
    due = domain.due_state(soonest, day).value if soonest else None
    return {**columns(outlet), "earliest_expiry": soonest, "due_state": due}


def cert_view(cert: FoodCertificate, day: date) -> dict[str, Any]:
    return {**columns(cert), "due_state": domain.due_state(cert.expires_on, day).value}


@blp.route("", methods=["POST"])
@blp.arguments(OutletCreateSchema)
@blp.response(201, OutletSchema)
def register_outlet(payload):
    """Register an outlet (食堂、超市、茶饮店、配送中心) at a grid place."""
    with transaction() as session:
        outlet = commands.register_outlet(session, current_principal(), **payload)
        return with_etag(outlet, view(outlet, None, today()), 201)


@blp.route("", methods=["GET"])
@blp.arguments(OutletQuerySchema, location="query")
@blp.response(200, OutletSchema(many=True))
@blp.paginate()
def list_outlets(query, pagination_parameters):
    """The outlets in the caller's scope; due=expired|due_soon is the due list."""
    day = today()
    stmt = commands.outlet_query(current_principal(), query, day)
    outlets = page_of(stmt, pagination_parameters)
    soonest = commands.earliest_expiry(read_session(), [o.id for o in outlets])
    return [view(o, soonest.get(o.id), day) for o in outlets]


@blp.route("/export.xlsx", methods=["GET"])
@blp.arguments(OutletQuerySchema, location="query")
@blp.response(200, content_type=XLSX)
def export_outlets(query):
    """The register in the caller's scope as .xlsx: outlets, certificates, daily records."""
    day = today()
    session = read_session()
    stmt = commands.outlet_query(current_principal(), query, day).limit(EXPORT_ROWS)
    outlets = session.scalars(stmt).all()
    ids = [o.id for o in outlets]
    certificates = session.scalars(
        select(FoodCertificate)
        .where(FoodCertificate.outlet_id.in_(ids))
        .order_by(FoodCertificate.expires_on)
    ).all()
    records = session.scalars(
        select(FoodDailyRecord)
        .where(FoodDailyRecord.outlet_id.in_(ids))
        .order_by(FoodDailyRecord.day.desc(), FoodDailyRecord.recorded_at)
    ).all()
    body = exports.register_xlsx(outlets, certificates, records, day)
    return file_response(body, XLSX, f"食品安全台账-{day}.xlsx")


@blp.route("/<outlet_id>", methods=["GET"])
@blp.response(200, OutletSchema)
def get_outlet(outlet_id: str):
    session = read_session()
    outlet = commands.get_outlet(session, current_principal(), outlet_id)
    soonest = commands.earliest_expiry(session, [outlet.id]).get(outlet.id)
    return with_etag(outlet, view(outlet, soonest, today()))


@blp.route("/<outlet_id>", methods=["PATCH"])
@blp.arguments(OutletUpdateSchema)
@blp.response(200, OutletSchema)
@blp.alt_response(412, description="If-Match does not match the outlet's version")
def update_outlet(payload, outlet_id: str):
    with transaction() as session:
        outlet = commands.update_outlet(
            session, current_principal(), outlet_id, payload, if_match()
        )
        soonest = commands.earliest_expiry(session, [outlet.id]).get(outlet.id)
        return with_etag(outlet, view(outlet, soonest, today()))


@blp.route("/<outlet_id>/certificates", methods=["POST"])
@blp.arguments(CertificateCreateSchema)
@blp.response(201, CertificateSchema)
def add_certificate(payload, outlet_id: str):
    """A licence (食品经营许可证) or a staff health certificate (健康证明) with its expiry."""
    with transaction() as session:
        cert = commands.add_certificate(session, current_principal(), outlet_id, **payload)
        return cert_view(cert, today())


@blp.route("/<outlet_id>/certificates", methods=["GET"])
@blp.response(200, CertificateSchema(many=True))
def list_certificates(outlet_id: str):
    session = read_session()
    commands.get_outlet(session, current_principal(), outlet_id)
    day = today()
    return [cert_view(c, day) for c in commands.certificates_of(session, outlet_id)]


@blp.route("/<outlet_id>/records", methods=["POST"])
@blp.arguments(RecordCreateSchema)
@blp.response(201, RecordSchema)
def add_record(payload, outlet_id: str):
    """A daily record: 陪餐, 留样, 农残检测 (result pass/fail), 冷链溯源 (batch, origin)."""
    with transaction() as session:
        return commands.add_record(session, current_principal(), outlet_id, today(), **payload)


@blp.route("/<outlet_id>/records", methods=["GET"])
@blp.arguments(RecordQuerySchema, location="query")
@blp.response(200, RecordSchema(many=True))
def list_records(query, outlet_id: str):
    session = read_session()
    commands.get_outlet(session, current_principal(), outlet_id)
    return commands.records_of(session, outlet_id, query.get("day"))
