"""/checklists and /inspections: the daily-inspection regime (日检查、周整改、月汇总)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exc as sa_exc

from services.hazards.commands import policy_of
from services.hazards.registers.inspections import commands, domain
from services.hazards.registers.inspections.schemas import (
    ChecklistCreateSchema,
    ChecklistQuerySchema,
    ChecklistSchema,
    ChecklistUpdateSchema,
    CoverageQuerySchema,
    CoverageSchema,
    InspectionCreateSchema,
    InspectionQuerySchema,
    InspectionSchema,
    InspectionSummarySchema,
)
from shared.api import Blueprint, page_of, read_session, state, transaction, with_etag
from shared.api import if_match_version as if_match
from shared.auth import current_principal
from shared.errors import BadRequest
from shared.timeutil import campus_today, utcnow

checklists_blp = Blueprint(
    "checklists", __name__, url_prefix="/checklists", description="检查表 inspection checklists"
)
blp = Blueprint(
    "inspections", __name__, url_prefix="/inspections", description="日检查 inspections"
)


def now() -> datetime:
    """The clock of these endpoints (a seam for tests)."""
    return utcnow()


# -- checklists ---------------------------------------------------------------------------
@checklists_blp.route("", methods=["POST"])
@checklists_blp.arguments(ChecklistCreateSchema)
@checklists_blp.response(201, ChecklistSchema)
def create_checklist(payload):
    """A checklist of one category: items [{code, text}] (security office or lead dept)."""
    with transaction() as session:
        template = commands.create_checklist(session, current_principal(), **payload)
        return with_etag(template, status=201)


@checklists_blp.route("", methods=["GET"])
@checklists_blp.arguments(ChecklistQuerySchema, location="query")
@checklists_blp.response(200, ChecklistSchema(many=True))
def list_checklists(query):
    return read_session().scalars(commands.checklist_query(query)).all()


@checklists_blp.route("/<template_id>", methods=["GET"])
@checklists_blp.response(200, ChecklistSchema)
def get_checklist(template_id: str):
    return with_etag(commands.get_checklist(read_session(), template_id))


@checklists_blp.route("/<template_id>", methods=["PATCH"])
@checklists_blp.arguments(ChecklistUpdateSchema)
@checklists_blp.response(200, ChecklistSchema)
@checklists_blp.alt_response(412, description="If-Match does not match the checklist's version")
def update_checklist(payload, template_id: str):
    """Edit the name or items, or retire it (active false); past inspections are unchanged."""
    with transaction() as session:
        template = commands.update_checklist(
            session, current_principal(), template_id, payload, if_match()
        )
        return with_etag(template)


# -- inspections --------------------------------------------------------------------------
@blp.route("", methods=["POST"])
@blp.arguments(InspectionCreateSchema)
@blp.response(201, InspectionSchema)
def record_inspection(payload):
    """Record an inspection of a place: every item pass / fail / na; each failed item opens
    a hazard (source inspection) in the same transaction, listed in hazard_numbers.
    With a client-chosen id, a retry returns the first record (200) and opens nothing.
    ``performed_at`` in the future (beyond 5 minutes of clock skew) is a 422. A lead
    department inspects any unit's places with a checklist of a category it leads."""
    principal = current_principal()
    tz = state().settings.campus_timezone
    client_id = payload.pop("id", None)
    inspection_id = str(client_id) if client_id else None
    for _ in range(2):  # a concurrent twin with the same id loses the race, then reads
        try:
            with transaction() as session:
                inspection, created = commands.record_inspection(
                    session,
                    principal,
                    campus_tz=tz,
                    inspection_id=inspection_id,
                    policy=policy_of(state().settings),
                    now=now(),
                    **payload,
                )
                return commands.detail(session, inspection), 201 if created else 200
        except sa_exc.IntegrityError:
            if inspection_id is None:
                raise
    raise BadRequest("同一检查记录编号的请求正在同时处理，请重试")


@blp.route("", methods=["GET"])
@blp.arguments(InspectionQuerySchema, location="query")
@blp.response(200, InspectionSummarySchema(many=True))
@blp.paginate()
def list_inspections(query, pagination_parameters):
    """Inspections in the caller's scope, newest first."""
    return page_of(commands.inspection_query(current_principal(), query), pagination_parameters)


@blp.route("/coverage", methods=["GET"])
@blp.arguments(CoverageQuerySchema, location="query")
@blp.response(200, CoverageSchema)
def inspection_coverage(query):
    """Places (grid level ≥ 3) of a unit not inspected on a campus day (on, default today)
    or in an ISO week (week=2021-W47)."""
    if "week" in query:
        period = domain.week_period(query["week"])
    else:
        period = domain.day_period(
            query.get("on") or campus_today(state().settings.campus_timezone)
        )
    return commands.coverage(read_session(), current_principal(), query.get("unit_code"), period)


@blp.route("/<inspection_id>", methods=["GET"])
@blp.response(200, InspectionSchema)
def get_inspection(inspection_id: str):
    session = read_session()
    inspection = commands.get_inspection(session, current_principal(), inspection_id)
    return commands.detail(session, inspection)
