"""Events the education service consumes: the grid (units for coverage, places for drill
problems) and the hazard ledger's hazards opened from drill problems, so a drill shows the
hazard numbers its problems became."""

from __future__ import annotations

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from services.education.models import DrillProblem, PlanCopy
from shared.config import Settings
from shared.events import Envelope
from shared.events.catalog import HAZARD_EVENT_TYPES
from shared.events.consumer import Handler
from shared.grid_projection import GRID_EVENT_HANDLERS
from shared.projections import upsert_newer
from shared.revocation_store import REVOCATION_HANDLERS


def link_hazard_to_drill_problem(session: Session, event: Envelope) -> None:
    """A hazard whose source is a drill problem: keep its number and latest stage on the
    problem (newer sequence wins, so duplicates and reordering change nothing)."""
    data = event.data
    if data.get("source") != "drill" or not data.get("source_ref"):
        return
    session.execute(
        update(DrillProblem)
        .where(
            DrillProblem.id == data["source_ref"],
            or_(
                DrillProblem.hazard_sequence.is_(None),
                DrillProblem.hazard_sequence < event.sequence,
            ),
        )
        .values(
            hazard_id=data["hazard_id"],
            hazard_number=data["number"],
            hazard_status=data["status"],
            hazard_sequence=event.sequence,
        )
        .execution_options(synchronize_session=False)
    )


def apply_plan(session: Session, event: Envelope) -> None:
    """``emergency_plan.changed``: the plan's unit, title and status, newest sequence wins."""
    upsert_newer(session, PlanCopy, "plan_id", event.data, event.sequence)


def make_handlers(settings: Settings) -> dict[str, Handler]:
    """The education worker's handlers (they need nothing from ``settings``)."""
    return {
        **GRID_EVENT_HANDLERS,
        **REVOCATION_HANDLERS,
        **{event_type: link_hazard_to_drill_problem for event_type in HAZARD_EVENT_TYPES},
        "emergency_plan.changed": apply_plan,
    }
