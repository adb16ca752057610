"""/rosters: printable rosters (张贴公示) and the bulk roster import of a unit."""

from __future__ import annotations

from flask import Response

from services.grid import access, commands, imports, queries, table_reader
from services.grid.api.views import today
from services.grid.exports import roster_html, roster_pdf, roster_xlsx
from services.grid.models import Unit
from services.grid.schemas import (
    ImportFileSchema,
    ImportQuerySchema,
    ImportResultSchema,
    RosterQuerySchema,
)
from shared import table_upload
from shared.api import Blueprint, file_response, read_session, state, transaction
from shared.auth import current_principal
from shared.errors import DomainError, PayloadTooLarge
from shared.timeutil import utcnow

blp = Blueprint("rosters", __name__, description="网格公示与导入 rosters and import")

MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
RENDER = {"html": roster_html, "pdf": roster_pdf, "xlsx": roster_xlsx}


class InvalidRoster(DomainError):
    status = 422
    title = "Invalid roster file"


@blp.route("/rosters", methods=["GET"])
@blp.arguments(RosterQuerySchema, location="query")
@blp.response(200, content_type="text/html")
@blp.alt_response(200, content_type="application/pdf", success=True, description="format=pdf")
@blp.alt_response(200, content_type=MEDIA["xlsx"], success=True, description="format=xlsx")
def get_roster(query):
    """A unit's or an area type's roster: names, roles, phones by place, with report QR codes.

    Phones are personal data: a unit's roster is for its own people and the security
    office; an area roster spans units and is for the security office and leadership.
    """
    access.require_roster_reader(current_principal(), query.get("unit_code"))
    if query.get("unit_code"):
        commands.get_or_404(read_session(), Unit, query["unit_code"], "unit")
    settings = state().settings
    data = queries.build_roster(
        read_session(),
        day=query.get("on") or today(),
        report_url=settings.report_base_url,
        timezone=settings.campus_timezone,
        generated_at=utcnow(),
        unit_code=query.get("unit_code"),
        area_type=query.get("area_type"),
    )
    fmt = query["format"]
    if fmt == "html":
        response = Response(RENDER[fmt](data))
    else:
        scope = query.get("unit_code") or query.get("area_type")
        response = file_response(RENDER[fmt](data), MEDIA[fmt], f"roster-{scope}.{fmt}")
    response.headers["Content-Type"] = MEDIA[fmt]
    return response


@blp.route("/units/<code>/roster-import", methods=["POST"])
@blp.arguments(ImportQuerySchema, location="query")
@blp.arguments(ImportFileSchema, location="files")
@blp.response(200, ImportResultSchema)
def import_roster(query, files, code: str):
    """Import a unit's roster (.xlsx/.csv): all rows apply, or none and each bad row is listed.
    With ``dry_run=true`` the same checks and counts, and nothing is applied. 413 over the
    upload limit or the reader's bounds (rows, cells, unpacked size); 415 for another type
    or a mislabelled file; 422 for a file or a row that cannot be read."""
    upload = files["file"]
    max_bytes = state().settings.upload_max_bytes
    content = upload.stream.read(max_bytes + 1)
    principal = current_principal()
    with transaction() as session:
        commands.get_or_404(session, Unit, code, "unit")
        access.require_manager(principal, code)
        table_upload.check_file(upload.filename or "", upload.mimetype, content, max_bytes)
        try:
            rows = imports.read_table(upload.filename or "", content)
        except table_reader.TableTooLarge as exc:
            raise PayloadTooLarge(exc.detail) from exc
        except (imports.ImportFileError, table_reader.TableUnreadable) as exc:
            raise InvalidRoster(str(exc)) from exc
        result = imports.import_roster(
            session, principal, code, rows, today(), state().settings.checked_posts
        )
        if result.errors:
            session.rollback()
            raise InvalidRoster(
                f"有 {len({e.row for e in result.errors})} 行有误，未导入任何内容",
                row_errors=[vars(e) for e in result.errors],
            )
        if query["dry_run"]:
            session.rollback()  # what would change, counted; nothing kept
        return result
