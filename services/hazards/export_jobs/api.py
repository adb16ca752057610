"""/hazards/export.xlsx (a small ledger, answered at once) and /hazards/exports (a large
one, written by the worker: ask, watch the progress, download when done)."""

from __future__ import annotations

from flask import send_file
from sqlalchemy import func, select

from services.hazards import ledger, ledger_export
from services.hazards.export_jobs import commands
from services.hazards.export_jobs.schemas import ExportJobSchema
from services.hazards.schemas import HazardQuerySchema
from shared.api import Blueprint, file_response, read_session, state, transaction
from shared.auth import current_principal
from shared.errors import DomainError
from shared.timeutil import campus_today, utcnow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BACKGROUND = "/hazards/exports"

blp = Blueprint(
    "hazard_exports", __name__, url_prefix="/hazards", description="隐患台账导出 ledger exports"
)


@blp.route("/export.xlsx", methods=["GET"])
@blp.arguments(HazardQuerySchema, location="query")
@blp.response(200, content_type=XLSX)
@blp.alt_response(409, description="more rows than CAMPUS_EXPORT_SYNC_ROWS: POST /hazards/exports")
def export_ledger(query):
    """The ledger (隐患台账) in the caller's scope as .xlsx, with the list's filters; a ledger
    over ``CAMPUS_EXPORT_SYNC_ROWS`` rows is a 409 naming the background export instead."""
    session, principal, settings = read_session(), current_principal(), state().settings
    now, tz = utcnow(), settings.campus_timezone
    stmt = ledger.ledger_query(principal, query, tz, now)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    if total > settings.export_sync_rows:
        raise DomainError(
            f"台账共 {total} 条，超过直接导出的上限 {settings.export_sync_rows} 条："
            "请使用后台导出（POST /hazards/exports，条件相同），完成后下载文件。",
            rows=total,
            limit=settings.export_sync_rows,
            background_export=BACKGROUND,
        )
    rows = ledger.ledger_rows(session, stmt)
    content = ledger_export.ledger_xlsx(rows, now, tz, **ledger.place_names(session))
    scope = ledger.scope_label(session, principal, query)
    return file_response(content, XLSX, ledger.export_name(scope, campus_today(tz, now)) + ".xlsx")


@blp.route("/exports", methods=["POST"])
@blp.arguments(HazardQuerySchema)
@blp.response(202, ExportJobSchema)
def request_export(query):
    """Ask the worker for the ledger as .xlsx (the filters of ``GET /hazards/export.xlsx``,
    as JSON); the answer's Location is where its progress shows."""
    with transaction() as session:
        tz = state().settings.campus_timezone
        job = commands.request_export(session, current_principal(), query, tz, utcnow())
    return job, 202, {"Location": f"{BACKGROUND}/{job.id}"}


@blp.route("/exports/<export_id>", methods=["GET"])
@blp.response(200, ExportJobSchema)
def export_status(export_id: str):
    """The requester's export: its status, rows written of the total, the percentage."""
    return commands.get_job(read_session(), current_principal(), export_id)


@blp.route("/exports/<export_id>/file", methods=["GET"])
@blp.response(200, content_type=XLSX)
@blp.alt_response(409, description="not finished yet")
def export_file(export_id: str):
    """The finished .xlsx, to the person who asked for it only."""
    session, principal = read_session(), current_principal()
    path = commands.downloadable(session, principal, export_id, state().settings.files_dir)
    name = commands.get_job(session, principal, export_id).title + ".xlsx"
    return send_file(path, mimetype=XLSX, as_attachment=True, download_name=name, max_age=0)
