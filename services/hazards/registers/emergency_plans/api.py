"""/emergency-plans: the emergency-plan register (应急预案), its drills and its counts."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields
from sqlalchemy import select

from services.hazards.registers.emergency_plans import commands, export
from services.hazards.registers.emergency_plans.models import PlanDrill
from services.hazards.registers.emergency_plans.schemas import (
    PlanCreateSchema,
    PlanDrillSchema,
    PlanQuerySchema,
    PlanSchema,
    PlanSummarySchema,
    PlanUpdateSchema,
)
from services.hazards.registers.schemas import UNIT_CODE
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
blp = Blueprint(
    "emergency_plans",
    __name__,
    url_prefix="/emergency-plans",
    description="应急预案 emergency plans",
)


class SummaryQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)


def today() -> date:
    return campus_today(state().settings.campus_timezone)


@blp.route("", methods=["POST"])
@blp.arguments(PlanCreateSchema)
@blp.response(201, PlanSchema)
def register_plan(payload):
    """Register a unit's plan for a scenario; (unit, scenario, edition) is unique."""
    day = today()
    with transaction() as session:
        plan = commands.register_plan(session, current_principal(), day, **payload)
        return with_etag(plan, commands.view(plan, day), 201)


@blp.route("", methods=["GET"])
@blp.arguments(PlanQuerySchema, location="query")
@blp.response(200, PlanSchema(many=True))
@blp.paginate()
def list_plans(query, pagination_parameters):
    """The register in the caller's scope; lapse=drill|review lists what is overdue."""
    day = today()
    stmt = commands.plan_query(current_principal(), query, day)
    return [commands.view(p, day) for p in page_of(stmt, pagination_parameters)]


@blp.route("/summary", methods=["GET"])
@blp.arguments(SummaryQuerySchema, location="query")
@blp.response(200, PlanSummarySchema)
def plan_summary(query):
    """统计: plans in force, undrilled within their period, past their review date."""
    return commands.summary(read_session(), current_principal(), today(), query.get("unit_code"))


@blp.route("/export.xlsx", methods=["GET"])
@blp.arguments(PlanQuerySchema, location="query")
@blp.response(200, content_type=XLSX)
def export_plans(query):
    """The register in the caller's scope as an .xlsx (Chinese headers)."""
    day = today()
    plans = read_session().scalars(commands.plan_query(current_principal(), query, day)).all()
    return file_response(export.register_xlsx(plans, day), XLSX, "emergency-plans.xlsx")


@blp.route("/<plan_id>", methods=["GET"])
@blp.response(200, PlanSchema)
def get_plan(plan_id: str):
    plan = commands.get_plan(read_session(), current_principal(), plan_id)
    return with_etag(plan, commands.view(plan, today()))


@blp.route("/<plan_id>", methods=["PATCH"])
@blp.arguments(PlanUpdateSchema)
@blp.response(200, PlanSchema)
@blp.alt_response(412, description="If-Match does not match the plan's version")
def update_plan(payload, plan_id: str):
    """Edit the plan (status withdrawn: 废止); drills come from education's drills."""
    day = today()
    with transaction() as session:
        plan = commands.update_plan(session, current_principal(), plan_id, payload, day, if_match())
        return with_etag(plan, commands.view(plan, day))


@blp.route("/<plan_id>/drills", methods=["GET"])
@blp.response(200, PlanDrillSchema(many=True))
def list_plan_drills(plan_id: str):
    """The drills that exercised the plan (from education's drill.completed)."""
    session = read_session()
    commands.get_plan(session, current_principal(), plan_id)
    return session.scalars(
        select(PlanDrill)
        .where(PlanDrill.plan_id == plan_id)
        .order_by(PlanDrill.drilled_on.desc(), PlanDrill.drill_id)
    ).all()
