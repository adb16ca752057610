"""/joint-inspections: joint inspections with outside agencies (协同联动)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exc as sa_exc

from services.hazards.commands import policy_of
from services.hazards.office.joint_inspections import commands
from services.hazards.office.joint_inspections.schemas import (
    JointInspectionCreateSchema,
    JointInspectionQuerySchema,
    JointInspectionSchema,
    JointInspectionSummarySchema,
    JointInspectionUpdateSchema,
)
from services.hazards.office.schemas import FindingCreateSchema, FindingSchema
from shared.api import Blueprint, page_of_rows, read_session, state, transaction, with_etag
from shared.api import if_match_version as if_match
from shared.auth import current_principal
from shared.errors import BadRequest
from shared.timeutil import campus_today, utcnow

blp = Blueprint(
    "joint_inspections",
    __name__,
    url_prefix="/joint-inspections",
    description="协同联动 joint inspections with outside agencies",
)


def now() -> datetime:
    """The clock of these endpoints (a seam for tests)."""
    return utcnow()


def today() -> date:
    return campus_today(state().settings.campus_timezone, now())


@blp.route("", methods=["POST"])
@blp.arguments(JointInspectionCreateSchema)
@blp.response(201, JointInspectionSchema)
def create(payload):
    """Record a joint inspection: the agencies, the day, the places visited, the members
    (security office)."""
    with transaction() as session:
        record = commands.create(session, current_principal(), today=today(), **payload)
        return with_etag(record, commands.detail(session, record), status=201)


@blp.route("", methods=["GET"])
@blp.arguments(JointInspectionQuerySchema, location="query")
@blp.response(200, JointInspectionSummarySchema(many=True))
@blp.paginate()
def list_inspections(query, pagination_parameters):
    """Newest first (security office, leadership). ``with_agency`` matches part of an agency's name;
    ``hazard_id`` finds the inspection whose finding opened that hazard."""
    rows = commands.query(read_session(), current_principal(), query)
    return page_of_rows(rows, pagination_parameters)


@blp.route("/<joint_id>", methods=["GET"])
@blp.response(200, JointInspectionSchema)
def get_inspection(joint_id: str):
    session = read_session()
    record = commands.get(session, current_principal(), joint_id)
    return with_etag(record, commands.detail(session, record))


@blp.route("/<joint_id>", methods=["PATCH"])
@blp.arguments(JointInspectionUpdateSchema)
@blp.response(200, JointInspectionSchema)
@blp.alt_response(412, description="If-Match does not match the record's version")
def update_inspection(payload, joint_id: str):
    """Correct the day, agencies, members, places or note (security office)."""
    with transaction() as session:
        record = commands.update(
            session, current_principal(), joint_id, payload, if_match(), today()
        )
        return with_etag(record, commands.detail(session, record))


@blp.route("/<joint_id>/findings", methods=["POST"])
@blp.arguments(FindingCreateSchema)
@blp.response(201, FindingSchema)
def add_finding(payload, joint_id: str):
    """A finding at one of the places visited opens a hazard (source joint_inspection) in
    the same transaction; the same finding posted again answers 200 and opens nothing."""
    principal = current_principal()
    settings = state().settings
    for _ in range(2):  # a concurrent twin of the same finding loses the race, then reads
        try:
            with transaction() as session:
                finding, created = commands.add_finding(
                    session,
                    principal,
                    joint_id,
                    campus_tz=settings.campus_timezone,
                    now=now(),
                    policy=policy_of(settings),
                    **payload,
                )
                return finding, 201 if created else 200
        except sa_exc.IntegrityError:
            continue
    raise BadRequest("同一发现问题的请求正在同时处理，请重试")
