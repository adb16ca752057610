"""/flags: accountability records (问责记录) and their review — the unit's explanation
(情况说明) and appeal (申诉) with files, the security office's decisions — each step kept
in the flag's history. The rules of the review are in ``services.reporting.domain``."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, select

from services.reporting import flags, robots
from services.reporting.access import own_unit
from services.reporting.commands import unit_names
from services.reporting.domain import end_of_day, start_of_day
from services.reporting.models import Flag, FlagFile
from services.reporting.schemas import (
    FlagAnswerSchema,
    FlagDecisionSchema,
    FlagFileSchema,
    FlagQuerySchema,
    FlagSchema,
)
from services.reporting.statistics.exports import flags_xlsx
from shared import files
from shared.api import Blueprint, file_response, page_of, read_session, state, transaction
from shared.auth import current_principal
from shared.errors import NotFound
from shared.files import UploadSchema
from shared.timeutil import campus_time, utcnow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
blp = Blueprint("flags", __name__, url_prefix="/flags", description="问责记录 accountability flags")


def now() -> datetime:
    """The clock of these endpoints (a seam for tests)."""
    return utcnow()


def window() -> timedelta:
    return timedelta(days=state().settings.flag_review_days)


def _view(flag: Flag, moment: datetime) -> dict:
    return flags.flag_view(flag, window(), moment, current_principal())


def _found(query: dict) -> Select:
    """The query of the flags in the caller's scope matching ``query``, newest first."""
    principal = current_principal()
    stmt = select(Flag)
    unit = query.get("unit_code")
    if unit:
        principal.require_unit(unit)
    elif not principal.is_global:
        unit = own_unit(principal)  # never "every unit" for a token without one
    if unit:
        stmt = stmt.where(Flag.unit_code == unit)
    for key in ("rule", "status", "campaign_id"):
        if query.get(key):
            stmt = stmt.where(getattr(Flag, key) == query[key])
    tz = state().settings.campus_timezone
    if query.get("raised_from"):
        stmt = stmt.where(Flag.raised_at >= start_of_day(query["raised_from"], tz))
    if query.get("raised_to"):
        stmt = stmt.where(Flag.raised_at < end_of_day(query["raised_to"], tz))
    return stmt.order_by(Flag.raised_at.desc(), Flag.id)


@blp.route("", methods=["GET"])
@blp.arguments(FlagQuerySchema, location="query")
@blp.response(200, FlagSchema(many=True))
@blp.paginate()
def list_flags(query, pagination_parameters):
    """Flags in the caller's scope, newest first."""
    # One page read (and its flags' steps and files), not every flag of the scope.
    found = page_of(_found(query), pagination_parameters)
    moment = now()
    return [_view(f, moment) for f in found]


@blp.route("/export.xlsx", methods=["GET"])
@blp.arguments(FlagQuerySchema, location="query")
@blp.response(200, content_type=XLSX)
def export_flags(query):
    """The same flags as a spreadsheet (问责记录), Chinese headers, units and people by name."""
    session = read_session()
    tz = state().settings.campus_timezone
    names = unit_names(session)
    moment = now()
    rows = [(_view(f, moment), robots.evidence_text(f)) for f in session.scalars(_found(query))]
    return file_response(
        flags_xlsx(rows, names, moment, tz),
        XLSX,
        f"问责记录-{campus_time(moment, tz):%Y-%m-%d}.xlsx",
    )


def _readable(flag_id: str) -> Flag:
    flag = read_session().get(Flag, flag_id)
    if flag is None:
        raise NotFound(f"问责记录 {flag_id} 不存在")
    current_principal().require_unit(flag.unit_code)
    return flag


@blp.route("/<flag_id>", methods=["GET"])
@blp.response(200, FlagSchema)
def get_flag(flag_id: str):
    """One flag with its whole history: who raised, explained, decided, appealed, when."""
    return _view(_readable(flag_id), now())


@blp.route("/<flag_id>/explanation", methods=["POST"])
@blp.arguments(FlagAnswerSchema)
@blp.response(201, FlagSchema)
def explain(payload, flag_id: str):
    """情况说明: by the unit the flag names, once, before the decision and within the
    review window (``CAMPUS_FLAG_REVIEW_DAYS``) after the flag was raised."""
    moment = now()
    with transaction() as session:
        flag = flags.explain(
            session, current_principal(), flag_id, payload["text"], moment, window()
        )
        return _view(flag, moment)


@blp.route("/<flag_id>/appeal", methods=["POST"])
@blp.arguments(FlagAnswerSchema)
@blp.response(201, FlagSchema)
def appeal(payload, flag_id: str):
    """申诉: by the unit the flag names, once, within the review window after the decision."""
    moment = now()
    with transaction() as session:
        flag = flags.appeal(
            session, current_principal(), flag_id, payload["text"], moment, window()
        )
        return _view(flag, moment)


@blp.route("/<flag_id>/decision", methods=["POST"])
@blp.arguments(FlagDecisionSchema)
@blp.response(200, FlagSchema)
def decide(payload, flag_id: str):
    """Confirmed, explained or withdrawn — by the security office, with a reason; once,
    and once more on appeal (then final). A final decision is never changed (409)."""
    moment = now()
    with transaction() as session:
        flag = flags.decide(
            session,
            current_principal(),
            flag_id,
            payload["status"],
            payload["reason"],
            moment,
            window(),
        )
        return _view(flag, moment)


@blp.route("/<flag_id>/files", methods=["POST"])
@blp.arguments(UploadSchema, location="files")
@blp.response(201, FlagFileSchema)
def upload(form, flag_id: str):
    """A file (photo or PDF) for the unit's explanation or appeal; 413/415 store nothing."""
    upload = files.Upload.received(form["file"], state().settings)
    with transaction() as session:
        return flags.add_file(session, current_principal(), flag_id, upload, now(), window())


@blp.route("/<flag_id>/files/<file_id>", methods=["GET"])
def download(flag_id: str, file_id: str):
    """The file itself, for whoever may read the flag."""
    flag = _readable(flag_id)
    row = read_session().get(FlagFile, file_id)
    if row is None or row.flag_id != flag.id:
        raise NotFound(f"文件 {file_id} 不属于问责记录 {flag_id}")
    return files.download(state().settings.files_dir, row.sha256, row.content_type, row.filename)
