"""The hazard's history and announcements: every change appends a transition row and
writes its hazard.* event to the outbox in the caller's transaction, carrying the hazard's
state (``hazard_state``), so the ledger and its announcements never disagree."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.hazards import domain
from services.hazards.domain import Status
from services.hazards.models import Hazard, HazardTransition
from shared.events import Envelope
from shared.events.outbox import new_event
from shared.principal import Principal
from shared.timeutil import utcnow

SOURCE = "hazards"


def hazard_state(hazard: Hazard) -> dict[str, Any]:
    """The hazard as carried by every hazard.* event."""
    return {
        "hazard_id": hazard.id,
        "number": hazard.number,
        "unit_code": hazard.unit_code,
        "cell_id": hazard.cell_id,
        "category": hazard.category,
        "subcategory": hazard.subcategory,
        "lead_department": hazard.lead_department,
        "lead_departments": hazard.lead_departments,
        "severity": hazard.severity,
        "status": hazard.status,
        "found_at": hazard.found_at,
        "deadline": hazard.deadline,
        "responsible_person_id": hazard.responsible_person_id,
        "responsible_person_name": hazard.responsible_person_name,
        "reopen_count": hazard.reopen_count,
        "overdue": is_flagged_overdue(hazard),
        "closed_at": hazard.closed_at,
        "source": hazard.source,
        "source_ref": hazard.source_ref,
        "reporter_unit": hazard.reporter_unit,
        "registered_at": hazard.registered_at,
        # The approved plan's: a plan awaiting approval is not yet what the hazard is judged by.
        "plan_deadline": approved_plan_deadline(hazard),
        "rectified_at": hazard.rectified_at,
        "acceptance_due": hazard.acceptance_due if hazard.status == Status.RECTIFIED else None,
        "acceptor_unit": hazard.acceptor_unit,
        "acceptance_overdue": is_acceptance_flagged(hazard),
        "major_unresolved_reason": major_unresolved_reason(hazard),
        "deadline_set_at": hazard.deadline_set_at,
        "overdue_since": hazard.overdue_notified_at if is_flagged_overdue(hazard) else None,
        "plan_approved_at": hazard.plan_approved_at,
        "acceptance_overdue_since": (
            hazard.acceptance_notified_at if is_acceptance_flagged(hazard) else None
        ),
        "acceptance_decided_at": hazard.acceptance_decided_at,
    }


def is_flagged_overdue(hazard: Hazard) -> bool:
    """Announced overdue for its current deadline, the unit has not rectified yet."""
    return domain.overdue_flagged(hazard.status, hazard.deadline, hazard.overdue_notified_for)


def is_acceptance_flagged(hazard: Hazard) -> bool:
    """Announced late for acceptance (验收逾期) in this round, still awaiting acceptance."""
    return domain.acceptance_flagged(
        hazard.status, hazard.reopen_count, hazard.acceptance_notified_round
    )


def approved_plan_deadline(hazard: Hazard) -> date | None:
    return domain.approved_plan_deadline(hazard.plan_deadline, hazard.plan_approved_at)


def major_unresolved_reason(hazard: Hazard) -> str | None:
    """Why the hazard was announced 悬而不决 (no_plan, plan_overdue), while that holds."""
    return domain.major_reason_in_force(
        hazard.severity,
        hazard.status,
        approved_plan_deadline(hazard),
        bool(hazard.major_no_plan_notified),
        hazard.plan_overdue_notified_for,
    )


def record(
    session: Session,
    hazard: Hazard,
    event_type: str,
    principal: Principal,
    *,
    action: str,
    previous: str | None,
    comment: str | None = None,
    at: datetime | None = None,
) -> Envelope:
    """Append the transition row and announce the new state (version = event sequence)."""
    envelope, rows = announce(
        hazard, event_type, principal, action=action, previous=previous, comment=comment, at=at
    )
    session.add_all(rows)
    return envelope


def announce(
    hazard: Hazard,
    event_type: str,
    principal: Principal,
    *,
    action: str,
    previous: str | None,
    comment: str | None = None,
    at: datetime | None = None,
) -> tuple[Envelope, list[object]]:
    """``record``'s event and rows (the transition, the outbox row), not yet written."""
    transition = HazardTransition(
        hazard_id=hazard.id,
        action=action,
        from_status=previous,
        to_status=hazard.status,
        actor=principal.sub,
        actor_name=principal.name,
        comment=comment,
        at=at or utcnow(),
    )
    envelope, message = new_event(
        event_type=event_type,
        source=SOURCE,
        subject=hazard.id,
        sequence=hazard.version,
        data=hazard_state(hazard),
        actor=principal.sub,
        occurred_at=at,
    )
    return envelope, [transition, message]
