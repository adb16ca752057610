"""/province: what the province sees of its colleges, for the province's own staff
(role ``province_office``, 省教育厅) only; a college's token is refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.province import exports, queries
from shared.api import Blueprint, file_response, read_session, state
from shared.auth import current_principal
from shared.errors import Forbidden
from shared.principal import PROVINCE_OFFICE  # 省教育厅: sees every college, changes none
from shared.timeutil import campus_time, utcnow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The figures' Chinese names, in the spreadsheet's order, for whoever shows them (the console).
FIGURE_LABELS = [[key, label] for key, label in exports.FIGURE_HEADERS]

blp = Blueprint("province", __name__, url_prefix="/province", description="省级汇总 province")


def iso(value: Any) -> Any:
    """Dates and moments as ISO 8601 text (Flask would write HTTP dates)."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [iso(v) for v in value]
    return value


def require_province() -> None:
    if PROVINCE_OFFICE not in current_principal().roles:
        raise Forbidden("省级汇总仅供省教育厅（province_office）查看")


@blp.route("/colleges", methods=["GET"])
@blp.response(200)
def list_colleges():
    """The province's colleges, with how many tables each sent and how many late."""
    require_province()
    return iso(queries.colleges(read_session()))


@blp.route("/colleges/<campus_id>", methods=["GET"])
@blp.response(200)
def one_college(campus_id: str):
    """A college's frozen tables, newest figures, submission boards and major hazards."""
    require_province()
    return iso({**queries.college(read_session(), campus_id), "figure_labels": FIGURE_LABELS})


@blp.route("/totals", methods=["GET"])
@blp.response(200)
def totals():
    """Province-wide figures: each college's newest and their sums."""
    require_province()
    return iso({**queries.totals(read_session()), "figure_labels": FIGURE_LABELS})


@blp.route("/dues", methods=["GET"])
@blp.response(200)
def dues():
    """Per province due date: colleges on time, late, not at all, not yet due."""
    require_province()
    today = campus_time(utcnow(), state().settings.campus_timezone).date()
    return iso(queries.dues(read_session(), today))


@blp.route("/flags", methods=["GET"])
@blp.response(200)
def flags():
    """The province's accountability flags on colleges: a table late or missing for a
    province due date, a major hazard past its deadline (问责), recomputed on every read."""
    require_province()
    today = campus_time(utcnow(), state().settings.campus_timezone).date()
    return iso(queries.flags(read_session(), today))


@blp.route("/export.xlsx", methods=["GET"])
def export():
    """《各校隐患整改汇总》, 《报送情况》 and 《问责》 as one .xlsx with Chinese headers."""
    require_province()
    tz = state().settings.campus_timezone
    now = utcnow()
    session, today = read_session(), campus_time(now, tz).date()
    content = exports.province_xlsx(
        queries.totals(session),
        queries.dues(session, today),
        queries.flags(session, today),
        now,
        tz,
    )
    return file_response(content, XLSX, "省级汇总.xlsx")


BLUEPRINTS = [blp]
