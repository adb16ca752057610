"""``emergency_plan.changed``: the plan's state after each change, written to the outbox in
the change's transaction. Reporting counts the plans in its statistics and education refuses
a drill against a withdrawn plan, each from its own copy (an event, no call)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.hazards.registers.emergency_plans.models import EmergencyPlan
from shared.events.outbox import record_event

EVENT_TYPE = "emergency_plan.changed"
SOURCE = "hazards"


def announce(session: Session, plan: EmergencyPlan, actor: str) -> None:
    """After the plan's version moved: its sequence is that version, so consumers keep the
    newest state whatever the order of delivery."""
    record_event(
        session,
        event_type=EVENT_TYPE,
        source=SOURCE,
        subject=plan.id,
        sequence=plan.version,
        actor=actor,
        data={
            "plan_id": plan.id,
            "unit_code": plan.unit_code,
            "scenario": plan.scenario,
            "title": plan.title,
            "edition": plan.edition,
            "status": plan.status,
            "approved_on": plan.approved_on,
            "review_due": plan.review_due,
            "last_drilled_on": plan.last_drilled_on,
            "drill_due": plan.next_drill_due,
        },
    )
