"""The campaign's own work: task ledgers and completions (工作台账), the progress matrix,
supervision reports (督查报告) and the year-end assessment (年终考核)."""

from __future__ import annotations

from datetime import datetime

from flask_smorest import Blueprint

from services.reporting import work
from services.reporting.work_schemas import (
    AssessmentSchema,
    CompletionCreateSchema,
    CompletionQuerySchema,
    CompletionSchema,
    LedgerEntryCreateSchema,
    LedgerEntrySchema,
    LedgerFileSchema,
    LedgerQuerySchema,
    ProgressSchema,
    SupervisionCreateSchema,
    SupervisionQuerySchema,
    SupervisionReplaceSchema,
    SupervisionSchema,
)
from shared import files
from shared.api import file_response, if_match_version, read_session, state, transaction
from shared.auth import current_principal
from shared.db import utcnow
from shared.files import UploadSchema

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ledger_blp = Blueprint(
    "task_ledgers", __name__, url_prefix="/campaigns", description="工作台账 task work ledgers"
)
supervision_blp = Blueprint(
    "supervision", __name__, url_prefix="/campaigns", description="督查报告 supervision reports"
)
assessment_blp = Blueprint(
    "assessment", __name__, url_prefix="/campaigns", description="年终考核 year-end assessment"
)
BLUEPRINTS = [ledger_blp, supervision_blp, assessment_blp]


def now() -> datetime:
    """The clock of these endpoints (a seam for tests)."""
    return utcnow()


def _tz() -> str:
    return state().settings.campus_timezone


def _page(rows: list, pagination_parameters) -> list:
    pagination_parameters.item_count = len(rows)
    first = pagination_parameters.first_item
    return rows[first : first + pagination_parameters.page_size]


# -- task work ledgers --------------------------------------------------------------------
TASK = "/<campaign_id>/tasks/<task_id>"


@ledger_blp.route(f"{TASK}/ledger", methods=["POST"])
@ledger_blp.arguments(LedgerEntryCreateSchema)
@ledger_blp.response(201, LedgerEntrySchema)
def add_ledger_entry(payload, campaign_id: str, task_id: str):
    """A self-inspection item, an action taken or evidence (text, link, reference) — by
    the task's lead departments or the security office."""
    with transaction() as session:
        return work.add_ledger_entry(
            session, current_principal(), campaign_id, task_id, payload, now()
        )


@ledger_blp.route(f"{TASK}/ledger", methods=["GET"])
@ledger_blp.arguments(LedgerQuerySchema, location="query")
@ledger_blp.response(200, LedgerEntrySchema(many=True))
@ledger_blp.paginate()
def list_ledger_entries(query, campaign_id: str, task_id: str, pagination_parameters):
    """The task's ledger, oldest first (a responsible unit sees what concerns it)."""
    rows = work.list_ledger_entries(
        read_session(), current_principal(), campaign_id, task_id, query
    )
    return _page(rows, pagination_parameters)


@ledger_blp.route(f"{TASK}/ledger/<entry_id>/files", methods=["POST"])
@ledger_blp.arguments(UploadSchema, location="files")
@ledger_blp.response(201, LedgerFileSchema)
def upload_ledger_file(form, campaign_id: str, task_id: str, entry_id: str):
    """A file of the entry's evidence: a photo (JPEG, PNG, WebP, HEIC) or a PDF; 413 over
    the limit, 415 otherwise (nothing is stored). By the task's lead departments or the
    security office."""
    upload = files.Upload.received(form["file"], state().settings)
    with transaction() as session:
        return work.add_ledger_file(
            session, current_principal(), campaign_id, task_id, entry_id, upload=upload, now=now()
        )


def _file_types(view):
    """Document the file types a download can be (those the upload accepts)."""
    for media_type in files.ALLOWED:
        view = ledger_blp.alt_response(200, content_type=media_type, success=True)(view)
    return view


@ledger_blp.route(f"{TASK}/ledger/<entry_id>/files/<file_id>", methods=["GET"])
@_file_types
def download_ledger_file(campaign_id: str, task_id: str, entry_id: str, file_id: str):
    """The file itself, only for those who may read its ledger entry."""
    row = work.get_ledger_file(
        read_session(), current_principal(), campaign_id, task_id, entry_id, file_id
    )
    return files.download(state().settings.files_dir, row.sha256, row.content_type, row.filename)


@ledger_blp.route(f"{TASK}/completions", methods=["POST"])
@ledger_blp.arguments(CompletionCreateSchema)
@ledger_blp.response(201, CompletionSchema)
def complete(payload, campaign_id: str, task_id: str):
    """Mark the task done for a phase and a responsible unit (once; late ones are flagged)."""
    with transaction() as session:
        return work.complete(
            session, current_principal(), campaign_id, task_id, payload, now(), _tz()
        )


@ledger_blp.route(f"{TASK}/completions", methods=["GET"])
@ledger_blp.arguments(CompletionQuerySchema, location="query")
@ledger_blp.response(200, CompletionSchema(many=True))
def list_completions(query, campaign_id: str, task_id: str):
    return work.list_completions(read_session(), current_principal(), campaign_id, task_id, query)


@ledger_blp.route("/<campaign_id>/progress", methods=["GET"])
@ledger_blp.response(200, ProgressSchema)
def progress(campaign_id: str):
    """Tasks × phases × units: completed or not, when, late or overdue."""
    return work.progress(read_session(), current_principal(), campaign_id, now(), _tz())


# -- supervision reports ------------------------------------------------------------------
@supervision_blp.route("/<campaign_id>/supervision", methods=["POST"])
@supervision_blp.arguments(SupervisionCreateSchema)
@supervision_blp.response(201, SupervisionSchema)
def create_report(payload, campaign_id: str):
    """A lead department's report on one secondary college for one phase (one only)."""
    with transaction() as session:
        report = work.create_report(session, current_principal(), campaign_id, payload, now())
        return work.report_view(session, report), 201, {"ETag": f'"{report.version}"'}


@supervision_blp.route("/<campaign_id>/supervision", methods=["GET"])
@supervision_blp.arguments(SupervisionQuerySchema, location="query")
@supervision_blp.response(200, SupervisionSchema(many=True))
@supervision_blp.paginate()
def list_reports(query, campaign_id: str, pagination_parameters):
    session = read_session()
    rows = work.list_reports(session, current_principal(), campaign_id, query)
    return [work.report_view(session, r) for r in _page(rows, pagination_parameters)]


@supervision_blp.route("/<campaign_id>/supervision/<report_id>", methods=["GET"])
@supervision_blp.response(200, SupervisionSchema)
def get_report(campaign_id: str, report_id: str):
    """One report; its ETag is the version to send back in If-Match."""
    session = read_session()
    report = work.get_report(session, current_principal(), campaign_id, report_id)
    return work.report_view(session, report), 200, {"ETag": f'"{report.version}"'}


@supervision_blp.route("/<campaign_id>/supervision/<report_id>", methods=["PUT"])
@supervision_blp.arguments(SupervisionReplaceSchema)
@supervision_blp.response(200, SupervisionSchema)
@supervision_blp.alt_response(412, description="If-Match does not match the report's version")
def replace_report(payload, campaign_id: str, report_id: str):
    """The author replaces findings and score, until the phase deadline + 1 month."""
    with transaction() as session:
        report = work.replace_report(
            session,
            current_principal(),
            campaign_id,
            report_id,
            payload,
            if_match_version(),
            now(),
            _tz(),
        )
        return work.report_view(session, report), 200, {"ETag": f'"{report.version}"'}


# -- year-end assessment ------------------------------------------------------------------
@assessment_blp.route("/<campaign_id>/assessment", methods=["GET"])
@assessment_blp.response(200, AssessmentSchema)
def assessment(campaign_id: str):
    """Each unit's score (formula in ``formula``), best first."""
    return work.assessment(read_session(), current_principal(), campaign_id, now())


@assessment_blp.route("/<campaign_id>/assessment.xlsx", methods=["GET"])
@assessment_blp.response(200, content_type=XLSX)
def assessment_xlsx(campaign_id: str):
    """The same assessment as an .xlsx with Chinese headers."""
    view = work.assessment(read_session(), current_principal(), campaign_id, now())
    return file_response(work.assessment_xlsx(view, _tz()), XLSX, f"assessment-{campaign_id}.xlsx")
