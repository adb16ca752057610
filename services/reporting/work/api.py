"""The campaign's own work: task ledgers and completions (工作台账), the progress matrix,
supervision reports (督查报告); the year-end assessment is in ``assessment.api``."""

from __future__ import annotations

from datetime import datetime

from services.reporting.work.commands import ledger, phase_work, supervision
from services.reporting.work.commands import progress as matrix
from services.reporting.work.domain import WorkStatus
from services.reporting.work.schemas import (
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
    WorkConfirmSchema,
    WorkReturnSchema,
    WorkSubmitSchema,
)
from shared import files
from shared.api import Blueprint, if_match_version, page_of_rows, read_session, state, transaction
from shared.auth import current_principal
from shared.files import UploadSchema
from shared.timeutil import utcnow

ledger_blp = Blueprint(
    "task_ledgers",
    __name__,
    url_prefix="/campaigns",
    description="工作台账 task work ledgers and each unit's phase work",
)
supervision_blp = Blueprint(
    "supervision", __name__, url_prefix="/campaigns", description="督查报告 supervision reports"
)
BLUEPRINTS = [ledger_blp, supervision_blp]


def now() -> datetime:
    """The clock of these endpoints (a seam for tests)."""
    return utcnow()


def _tz() -> str:
    return state().settings.campus_timezone


# -- task work ledgers --------------------------------------------------------------------
TASK = "/<campaign_id>/tasks/<task_id>"


@ledger_blp.route(f"{TASK}/ledger", methods=["POST"])
@ledger_blp.arguments(LedgerEntryCreateSchema)
@ledger_blp.response(201, LedgerEntrySchema)
def add_ledger_entry(payload, campaign_id: str, task_id: str):
    """A line of the task's ledger: a unit's own phase work (工作机构, 工作方案, 自查台账,
    整改方案 …, by its manager, about itself, in a units' phase, until it is submitted), or
    a self-inspection item, action or evidence by the task's lead departments or the
    security office (text, link, reference)."""
    with transaction() as session:
        return ledger.add_ledger_entry(
            session, current_principal(), campaign_id, task_id, payload, now()
        )


@ledger_blp.route(f"{TASK}/ledger", methods=["GET"])
@ledger_blp.arguments(LedgerQuerySchema, location="query")
@ledger_blp.response(200, LedgerEntrySchema(many=True))
@ledger_blp.paginate()
def list_ledger_entries(query, campaign_id: str, task_id: str, pagination_parameters):
    """The task's ledger, oldest first (a responsible unit sees what concerns it)."""
    rows = ledger.list_ledger_entries(
        read_session(), current_principal(), campaign_id, task_id, query
    )
    return page_of_rows(rows, pagination_parameters)


@ledger_blp.route(f"{TASK}/ledger/<entry_id>/files", methods=["POST"])
@ledger_blp.arguments(UploadSchema, location="files")
@ledger_blp.response(201, LedgerFileSchema)
def upload_ledger_file(form, campaign_id: str, task_id: str, entry_id: str):
    """A file of the entry's evidence: a photo (JPEG, PNG, WebP, HEIC) or a PDF; 413 over
    the limit, 415 otherwise (nothing is stored). By the task's lead departments or the
    security office; by a unit's manager on an entry of its own phase work still open."""
    upload = files.Upload.received(form["file"], state().settings)
    with transaction() as session:
        return ledger.add_ledger_file(
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
    row = ledger.get_ledger_file(
        read_session(), current_principal(), campaign_id, task_id, entry_id, file_id
    )
    return files.download(state().settings.files_dir, row.sha256, row.content_type, row.filename)


WORK = f"{TASK}/phases/<phase_id>/work/<unit_code>"


@ledger_blp.route(f"{WORK}/submit", methods=["POST"])
@ledger_blp.arguments(WorkSubmitSchema)
@ledger_blp.response(200, CompletionSchema)
def submit_work(payload, campaign_id: str, task_id: str, phase_id: str, unit_code: str):
    """The unit marks its phase work on the task done (its ledger entries of the phase), or
    submits it again after a return: by its manager, or the security office on its behalf.
    409 if already submitted or confirmed; 422 in the lead departments' phase or with no
    ledger entry yet. Not standing submitted at the phase deadline: late, and flagged."""
    with transaction() as session:
        return phase_work.submit_work(
            session,
            current_principal(),
            campaign_id,
            task_id,
            phase_id,
            unit_code,
            payload,
            now(),
            _tz(),
        )


@ledger_blp.route(f"{WORK}/confirm", methods=["POST"])
@ledger_blp.arguments(WorkConfirmSchema)
@ledger_blp.response(200, CompletionSchema)
def confirm_work(payload, campaign_id: str, task_id: str, phase_id: str, unit_code: str):
    """A lead department of the task (not the unit itself) or the security office confirms
    submitted work (409 otherwise)."""
    with transaction() as session:
        return phase_work.decide_work(
            session,
            current_principal(),
            campaign_id,
            task_id,
            phase_id,
            unit_code,
            WorkStatus.CONFIRMED,
            payload,
            now(),
        )


@ledger_blp.route(f"{WORK}/return", methods=["POST"])
@ledger_blp.arguments(WorkReturnSchema)
@ledger_blp.response(200, CompletionSchema)
def return_work(payload, campaign_id: str, task_id: str, phase_id: str, unit_code: str):
    """A lead department of the task (not the unit itself) or the security office sends
    submitted work back with a reason (422 without one); the unit submits it again."""
    with transaction() as session:
        return phase_work.decide_work(
            session,
            current_principal(),
            campaign_id,
            task_id,
            phase_id,
            unit_code,
            WorkStatus.RETURNED,
            payload,
            now(),
        )


@ledger_blp.route(f"{TASK}/completions", methods=["GET"])
@ledger_blp.arguments(CompletionQuerySchema, location="query")
@ledger_blp.response(200, CompletionSchema(many=True))
def list_completions(query, campaign_id: str, task_id: str):
    """The units' phase work on the task with its status and steps (a unit sees its own)."""
    return phase_work.list_completions(
        read_session(), current_principal(), campaign_id, task_id, query
    )


@ledger_blp.route("/<campaign_id>/progress", methods=["GET"])
@ledger_blp.response(200, ProgressSchema)
def progress(campaign_id: str):
    """Tasks × phases × the phase's party: each cell's status (未提交, 已提交, 已确认,
    已退回), late or overdue; in the lead departments' phase their supervision reports."""
    return matrix.progress(read_session(), current_principal(), campaign_id, now(), _tz())


# -- supervision reports ------------------------------------------------------------------
@supervision_blp.route("/<campaign_id>/supervision", methods=["POST"])
@supervision_blp.arguments(SupervisionCreateSchema)
@supervision_blp.response(201, SupervisionSchema)
def create_report(payload, campaign_id: str):
    """A lead department's report on one secondary college for one phase (one only)."""
    with transaction() as session:
        report = supervision.create_report(
            session, current_principal(), campaign_id, payload, now()
        )
        return supervision.report_view(session, report), 201, {"ETag": f'"{report.version}"'}


@supervision_blp.route("/<campaign_id>/supervision", methods=["GET"])
@supervision_blp.arguments(SupervisionQuerySchema, location="query")
@supervision_blp.response(200, SupervisionSchema(many=True))
@supervision_blp.paginate()
def list_reports(query, campaign_id: str, pagination_parameters):
    session = read_session()
    rows = supervision.list_reports(session, current_principal(), campaign_id, query)
    return [supervision.report_view(session, r) for r in page_of_rows(rows, pagination_parameters)]


@supervision_blp.route("/<campaign_id>/supervision/<report_id>", methods=["GET"])
@supervision_blp.response(200, SupervisionSchema)
def get_report(campaign_id: str, report_id: str):
    """One report; its ETag is the version to send back in If-Match."""
    session = read_session()
    report = supervision.get_report(session, current_principal(), campaign_id, report_id)
    return supervision.report_view(session, report), 200, {"ETag": f'"{report.version}"'}


@supervision_blp.route("/<campaign_id>/supervision/<report_id>", methods=["PUT"])
@supervision_blp.arguments(SupervisionReplaceSchema)
@supervision_blp.response(200, SupervisionSchema)
@supervision_blp.alt_response(412, description="If-Match does not match the report's version")
def replace_report(payload, campaign_id: str, report_id: str):
    """The author replaces findings and score, until the phase deadline + 1 month."""
    with transaction() as session:
        report = supervision.replace_report(
            session,
            current_principal(),
            campaign_id,
            report_id,
            payload,
            if_match_version(),
            now(),
            _tz(),
        )
        return supervision.report_view(session, report), 200, {"ETag": f'"{report.version}"'}
