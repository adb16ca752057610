"""Questions about hazards asked in SQL, each beside the pure rule it mirrors: the
overdue filter of lists (twin of ``domain.is_overdue``, from the same stage set), and the
history's answers to who rectified and who wrote the plan."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from services.hazards.domain import UNIT_STAGES, Action
from services.hazards.models import Hazard, HazardTransition


def overdue(today: date) -> ColumnElement[bool]:
    """SQL twin of ``domain.is_overdue``: the unit still owes the fix (``UNIT_STAGES``;
    awaiting acceptance is not the unit's time) and its deadline is past."""
    return Hazard.status.in_([s.value for s in UNIT_STAGES]) & (Hazard.deadline < today)


def not_overdue(today: date) -> ColumnElement[bool]:
    """Everything ``overdue`` is not, hazards without a deadline included."""
    return ~overdue(today) | Hazard.deadline.is_(None)


def plan_awaiting() -> ColumnElement[bool]:
    """SQL twin of ``domain.plan_awaits_approval``: a rectification plan not yet approved
    while the unit still owes the fix."""
    return (
        Hazard.status.in_([s.value for s in UNIT_STAGES])
        & Hazard.plan_deadline.is_not(None)
        & Hazard.plan_approved_at.is_(None)
    )


def rectifiers(session: Session, hazard_id: str) -> list[str]:
    """Everyone who ever rectified the hazard, in every remediation round."""
    return list(
        session.scalars(
            select(HazardTransition.actor)
            .where(
                HazardTransition.hazard_id == hazard_id,
                HazardTransition.action == Action.RECTIFY.value,
            )
            .distinct()
        )
    )


def plan_author(session: Session, hazard_id: str) -> str | None:
    """Who wrote the rectification plan (started remediation)."""
    return session.scalars(
        select(HazardTransition.actor)
        .where(
            HazardTransition.hazard_id == hazard_id,
            HazardTransition.action == Action.START_REMEDIATION.value,
        )
        .order_by(HazardTransition.id.desc())
        .limit(1)
    ).first()
