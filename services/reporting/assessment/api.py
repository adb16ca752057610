"""/campaigns/{id}/assessment: the year-end assessment (年终考核), every score with the
deductions and supervision reports behind it, as JSON and .xlsx."""

from __future__ import annotations

from datetime import datetime

from services.reporting.assessment import commands, exports
from services.reporting.assessment.schemas import AssessmentSchema
from shared.api import Blueprint, file_response, read_session, state
from shared.auth import current_principal
from shared.timeutil import utcnow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

blp = Blueprint(
    "assessment", __name__, url_prefix="/campaigns", description="年终考核 year-end assessment"
)


def now() -> datetime:
    """The clock of these endpoints (a seam for tests)."""
    return utcnow()


@blp.route("/<campaign_id>/assessment", methods=["GET"])
@blp.response(200, AssessmentSchema)
def assessment(campaign_id: str):
    """Each unit's score, best first: the campaign's rules (``rules``, in words in
    ``formula``), per phase the supervision average or 未督查, every deduction with its flag."""
    return commands.assessment(read_session(), current_principal(), campaign_id, now())


@blp.route("/<campaign_id>/assessment.xlsx", methods=["GET"])
@blp.response(200, content_type=XLSX)
def assessment_xlsx(campaign_id: str):
    """The same assessment as an .xlsx: scores, deductions (扣分明细), rules (考核办法)."""
    view = commands.assessment(read_session(), current_principal(), campaign_id, now())
    tz = state().settings.campus_timezone
    return file_response(exports.assessment_xlsx(view, tz), XLSX, f"assessment-{campaign_id}.xlsx")
