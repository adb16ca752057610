"""/activities/{id}/attendance.xlsx: who signed in, as a spreadsheet (签到名单); and
/activities/{id}/enrolments/import: enrolment from a class list (.xlsx/.csv)."""

from __future__ import annotations

from marshmallow import Schema, fields
from sqlalchemy import select

from services.education import access
from services.education.api.views import campus_tz
from services.education.commands import class_list, lookups
from services.education.exports import attendance_xlsx
from services.education.models import Enrolment
from services.education.schemas import EnrolResultSchema
from shared import table_upload
from shared.api import Blueprint, file_response, read_session, state, transaction
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


class ClassListFileSchema(Schema):
    file = fields.Raw(
        required=True, metadata={"type": "string", "format": "binary", "description": ".xlsx/.csv"}
    )


@blp.route("/<activity_id>/enrolments/import", methods=["POST"])
@blp.arguments(ClassListFileSchema, location="files")
@blp.response(200, EnrolResultSchema)
def import_class_list(files, activity_id: str):
    """Enrol a class list (.xlsx/.csv: 学号/工号, 姓名, 单位 by name or code, 班级): every row,
    or none and each bad row listed (row_errors). Who may enrol whom is POST …/enrolments'
    rule. 413 over the upload limit or the reader's bounds; 415 for another type."""
    upload = files["file"]
    max_bytes = state().settings.upload_max_bytes
    content = upload.stream.read(max_bytes + 1)
    table_upload.check_file(upload.filename or "", upload.mimetype, content, max_bytes)
    with transaction() as session:
        return class_list.import_class_list(
            session, current_principal(), activity_id, upload.filename or "", content
        )
