"""/activities/{id}/drill-result and /problems: drill results and the problems found, each
of which the hazard ledger turns into a hazard (its number comes back here)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.education.commands import drills, lookups
from services.education.models import Activity, DrillResult
from services.education.schemas import (
    DrillProblemSchema,
    DrillProblemsCreateSchema,
    DrillReportSchema,
    DrillResultCreateSchema,
)
from shared import idempotency
from shared.api import Blueprint, read_session, transaction
from shared.auth import current_principal
from shared.timeutil import utcnow

blp = Blueprint("drills", __name__, url_prefix="/activities", description="演练结果 drill results")


def report(session: Session, activity: Activity) -> dict:
    result = session.get(DrillResult, activity.id)
    problems = drills.drill_problems(session, activity.id)
    return {
        "activity_id": activity.id,
        "title": activity.title,
        "status": activity.status,
        "participants": result.participants if result else None,
        "evacuation_seconds": result.evacuation_seconds if result else None,
        "observations": result.observations if result else None,
        "recorded_at": result.recorded_at if result else None,
        "problems": problems,
        "hazard_numbers": [p.hazard_number for p in problems if p.hazard_number],
    }


@blp.route("/<activity_id>/drill-result", methods=["POST"])
@blp.arguments(DrillResultCreateSchema)
@blp.response(201, DrillReportSchema)
def record_result(payload, activity_id: str):
    """Record a drill's results: participants, evacuation time (seconds), observations and
    the problems found. A planned drill becomes held. Each problem is announced
    (drill.problem_found) and becomes one hazard in the hazard ledger."""
    principal = current_principal()
    with transaction() as session:
        drills.record_drill_result(session, principal, activity_id, now=utcnow(), **payload)
        return report(session, session.get(Activity, activity_id))


@blp.route("/<activity_id>/problems", methods=["POST"])
@blp.arguments(DrillProblemsCreateSchema)
@blp.response(201, DrillProblemSchema(many=True))
def add_problems(payload, activity_id: str):
    """Problems noticed after the results were recorded (e.g. at the debriefing). With an
    Idempotency-Key header a resent request adds nothing and returns the first answer (200)."""
    key = idempotency.requested_key()
    with transaction() as session:
        problems, added = drills.add_drill_problems(
            session, current_principal(), activity_id, payload["problems"], utcnow(), key
        )
        return problems, 201 if added else 200


@blp.route("/<activity_id>/drill-result", methods=["GET"])
@blp.response(200, DrillReportSchema)
def get_result(activity_id: str):
    """The drill's results and its problems with the hazard numbers that came back
    (empty until the hazard ledger has opened them)."""
    session = read_session()
    activity = lookups.get_activity(session, current_principal(), activity_id)
    return report(session, activity)
