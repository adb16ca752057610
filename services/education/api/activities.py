"""/activities: schedule, change, cancel, hold; enrolment, sign-in code and QR, check-in,
attendance."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Response
from sqlalchemy import select

from services.education import access, domain
from services.education.api.views import campus_tz, sign_in_url
from services.education.commands import activities as activity_commands
from services.education.commands import attendance as attendance_commands
from services.education.commands import lookups
from services.education.models import Activity, ActivityTarget, Enrolment
from services.education.schemas import (
    ActivityCreateSchema,
    ActivityQuerySchema,
    ActivitySchema,
    ActivityUpdateSchema,
    AttendanceSchema,
    CancelSchema,
    CheckInResultSchema,
    CheckInSchema,
    EnrolmentSchema,
    EnrolResultSchema,
    EnrolSchema,
    HeldSchema,
    QrQuerySchema,
    ScheduledActivitySchema,
    SignInSchema,
)
from shared import qr
from shared.api import Blueprint, if_match_version, page_of, read_session, transaction, with_etag
from shared.auth import current_principal, kiosk
from shared.timeutil import utcnow

blp = Blueprint(
    "activities", __name__, url_prefix="/activities", description="安全教育活动 activities"
)


def _scheduled(activity: Activity, warnings: list) -> Activity:
    activity.warnings = warnings  # transient, for ScheduledActivitySchema
    return activity


@blp.route("", methods=["POST"])
@blp.arguments(ActivityCreateSchema)
@blp.response(201, ScheduledActivitySchema)
@blp.alt_response(409, description="the venue is booked then; the problem names the activity")
def create_activity(payload):
    """Schedule an activity. 409 if its venue is taken at an overlapping time (touching
    times are fine); a target unit or class expected elsewhere then is a warning."""
    with transaction() as session:
        activity, warnings = activity_commands.create_activity(
            session, current_principal(), campus_tz=campus_tz(), **payload
        )
        return with_etag(activity, _scheduled(activity, warnings), 201)


@blp.route("", methods=["GET"])
@blp.arguments(ActivityQuerySchema, location="query")
@blp.response(200, ActivitySchema(many=True))
@blp.paginate()
def list_activities(query, pagination_parameters):
    """Activities in the caller's scope (organised by or aimed at their unit), by start."""
    stmt = select(Activity)
    visible = access.visible_condition(current_principal())
    if visible is not None:
        stmt = stmt.where(visible)
    for key in ("kind", "status"):
        if query.get(key):
            stmt = stmt.where(getattr(Activity, key) == query[key])
    if query.get("unit_code"):
        aimed = select(ActivityTarget.activity_id).where(
            ActivityTarget.unit_code == query["unit_code"]
        )
        stmt = stmt.where((Activity.organiser_unit == query["unit_code"]) | Activity.id.in_(aimed))
    if query.get("venue"):
        stmt = stmt.where(Activity.venue_key == domain.normalize_venue(query["venue"]))
    zone = ZoneInfo(campus_tz())
    if query.get("starts_from"):
        stmt = stmt.where(
            Activity.starts_at >= datetime.combine(query["starts_from"], time(), zone)
        )
    if query.get("starts_to"):
        end = datetime.combine(query["starts_to"] + timedelta(days=1), time(), zone)
        stmt = stmt.where(Activity.starts_at < end)
    return page_of(stmt.order_by(Activity.starts_at, Activity.id), pagination_parameters)


@blp.route("/<activity_id>", methods=["GET"])
@blp.response(200, ActivitySchema)
def get_activity(activity_id: str):
    """One activity; its ETag is the version to send back in If-Match."""
    return with_etag(lookups.get_activity(read_session(), current_principal(), activity_id))


@blp.route("/<activity_id>", methods=["PATCH"])
@blp.arguments(ActivityUpdateSchema)
@blp.response(200, ScheduledActivitySchema)
@blp.alt_response(412, description="If-Match does not match the activity's version")
def update_activity(payload, activity_id: str):
    """Change a planned activity (times, venue, targets …): the same conflict rules apply."""
    with transaction() as session:
        activity, warnings = activity_commands.update_activity(
            session,
            current_principal(),
            activity_id,
            payload,
            if_match=if_match_version(),
            campus_tz=campus_tz(),
        )
        return with_etag(activity, _scheduled(activity, warnings))


@blp.route("/<activity_id>/cancel", methods=["POST"])
@blp.arguments(CancelSchema)
@blp.response(200, ActivitySchema)
def cancel_activity(payload, activity_id: str):
    """Cancel a planned activity, with the reason (取消原因); its venue becomes free."""
    with transaction() as session:
        return with_etag(
            activity_commands.cancel_activity(
                session, current_principal(), activity_id, payload["reason"]
            )
        )


@blp.route("/<activity_id>/held", methods=["POST"])
@blp.arguments(HeldSchema)
@blp.response(200, ActivitySchema)
def mark_held(payload, activity_id: str):
    """The activity took place (已举办); participants default to those checked in."""
    with transaction() as session:
        return with_etag(
            activity_commands.mark_held(
                session,
                current_principal(),
                activity_id,
                now=utcnow(),
                participants=payload["participants"],
            )
        )


# -- enrolment and attendance ----------------------------------------------------------------
@blp.route("/<activity_id>/enrolments", methods=["POST"])
@blp.arguments(EnrolSchema)
@blp.response(200, EnrolResultSchema)
def enrol(payload, activity_id: str):
    """Bulk enrolment (报名); people already enrolled are left as they are."""
    with transaction() as session:
        return attendance_commands.enrol(
            session, current_principal(), activity_id, payload["people"]
        )


@blp.route("/<activity_id>/enrolments", methods=["GET"])
@blp.response(200, EnrolmentSchema(many=True))
def list_enrolments(activity_id: str):
    """Who is enrolled and who checked in. A unit outside the organiser sees its own people."""
    principal = current_principal()
    session = read_session()
    activity = lookups.get_activity(session, principal, activity_id)
    stmt = select(Enrolment).where(Enrolment.activity_id == activity.id)
    if not access.sees_every_unit(principal, activity):
        stmt = stmt.where(Enrolment.unit_code == principal.unit)
    return session.scalars(stmt.order_by(Enrolment.unit_code, Enrolment.person_ref)).all()


@blp.route("/<activity_id>/sign-in", methods=["GET"])
@blp.response(200, SignInSchema)
def sign_in(activity_id: str):
    """The activity's sign-in code and URL (for the organiser to show in the room)."""
    principal = current_principal()
    activity = lookups.get_activity(read_session(), principal, activity_id)
    access.require_manager(principal, activity.organiser_unit)
    opens, closes = domain.check_in_window(activity.starts_at, activity.ends_at)
    return {
        "activity_id": activity.id,
        "code": activity.sign_in_code,
        "url": sign_in_url(activity),
        "opens_at": opens,
        "closes_at": closes,
    }


@blp.route("/<activity_id>/sign-in/qr", methods=["GET"])
@blp.arguments(QrQuerySchema, location="query")
@blp.response(200, content_type="image/png")
@blp.alt_response(200, content_type="image/svg+xml", success=True, description="format=svg")
def sign_in_qr(query, activity_id: str):
    """A QR code (PNG or SVG) of the sign-in URL, to project or print in the room."""
    principal = current_principal()
    activity = lookups.get_activity(read_session(), principal, activity_id)
    access.require_manager(principal, activity.organiser_unit)
    url = sign_in_url(activity)
    if query["format"] == "svg":
        return Response(qr.qr_svg(url), mimetype="image/svg+xml")
    return Response(qr.qr_png(url), mimetype="image/png")


@blp.route("/<activity_id>/check-in", methods=["POST"])
@blp.arguments(CheckInSchema)
@blp.response(200, CheckInResultSchema)
@blp.alt_response(403, description="a number naming someone other than the caller")
@blp.alt_response(409, description="outside the activity's time, or already checked in")
@blp.alt_response(422, description="wrong sign-in code; a kiosk naming nobody")
@kiosk
def check_in(payload, activity_id: str):
    """Sign in with the code shown in the room: only during the activity (from 15 minutes
    before its start until its end), once per enrolled person. A signed-in person checks in
    themselves (the token names them); a kiosk token (``campus-safety kiosk-token``) names
    the person in ``person_ref`` and may call nothing else."""
    principal = current_principal()
    with transaction() as session:
        enrolment = attendance_commands.check_in(
            session,
            principal,
            activity_id,
            code=payload["code"],
            person_ref=payload["person_ref"],
            now=utcnow(),
            campus_tz=campus_tz(),
        )
        return {
            "activity_id": activity_id,
            "person_ref": enrolment.person_ref,
            "name": enrolment.name,
            "checked_in_at": enrolment.checked_in_at,
        }


@blp.route("/<activity_id>/attendance", methods=["GET"])
@blp.response(200, AttendanceSchema)
def attendance(activity_id: str):
    """Enrolled, checked in and the attendance rate, in total and per unit."""
    principal = current_principal()
    session = read_session()
    activity = lookups.get_activity(session, principal, activity_id)
    result = attendance_commands.attendance(session, activity)
    if not access.sees_every_unit(principal, activity):
        result["by_unit"] = [r for r in result["by_unit"] if r["unit_code"] == principal.unit]
    return result
