"""/activities/{id}/attendance.xlsx: who signed in, as a spreadsheet (签到名单)."""

from __future__ import annotations

from sqlalchemy import select

from services.education import access
from services.education.api.views import campus_tz
from services.education.commands import lookups
from services.education.exports import attendance_xlsx
from services.education.models import Enrolment
from shared.api import Blueprint, file_response, read_session
from shared.auth import current_principal
from shared.grid_projection import GridUnit

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

blp = Blueprint(
    "enrolment_files", __name__, url_prefix="/activities", description="签到名单 sign-in lists"
)


@blp.route("/<activity_id>/attendance.xlsx", methods=["GET"])
@blp.response(200, content_type=XLSX_MEDIA_TYPE)
def attendance_sheet(activity_id: str):
    """The enrolled people and when each signed in, with unit names: the same people as
    GET /activities/{id}/enrolments (a target unit's reader sees their own unit's)."""
    principal = current_principal()
    session = read_session()
    activity = lookups.get_activity(session, principal, activity_id)
    stmt = select(Enrolment).where(Enrolment.activity_id == activity.id)
    if not access.sees_every_unit(principal, activity):
        stmt = stmt.where(Enrolment.unit_code == principal.unit)
    enrolments = session.scalars(stmt.order_by(Enrolment.unit_code, Enrolment.person_ref))
    names = {code: name for code, name in session.execute(select(GridUnit.code, GridUnit.name))}
    body = attendance_xlsx(activity, enrolments, names, campus_tz())
    return file_response(body, XLSX_MEDIA_TYPE, f"签到名单-{activity.title}.xlsx")
