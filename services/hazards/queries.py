"""Questions about hazards asked in SQL, each beside the pure rule it mirrors: the
overdue filter of lists (twin of ``domain.is_overdue``, from the same stage set), and the
history's answers to who rectified and who wrote the plan."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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


# session.info key: the history's answers read ahead for a list (``history_read_ahead``).
_READ_AHEAD = "hazards_history_read_ahead"


@contextmanager
def history_read_ahead(session: Session, hazard_ids: Iterable[str]) -> Iterator[None]:
    """While in the block, ``rectifiers`` and ``plan_author`` answer for ``hazard_ids`` from
    two queries made here, not one query per hazard (a list asking ``access.actions_for`` of
    each row). For reads only: a step taken in the block would not be seen."""
    ids = list(hazard_ids)
    fixed: dict[str, set[str]] = {i: set() for i in ids}
    planned: dict[str, str | None] = dict.fromkeys(ids)
    if ids:
        steps = session.execute(
            select(HazardTransition.hazard_id, HazardTransition.action, HazardTransition.actor)
            .where(
                HazardTransition.hazard_id.in_(ids),
                HazardTransition.action.in_([Action.RECTIFY.value, Action.START_REMEDIATION.value]),
            )
            .order_by(HazardTransition.id)
        )
        for hazard_id, action, actor in steps:
            if action == Action.RECTIFY.value:
                fixed[hazard_id].add(actor)
            else:  # the latest one wins, as in ``plan_author``
                planned[hazard_id] = actor
    session.info[_READ_AHEAD] = (fixed, planned)
    try:
        yield
    finally:
        session.info.pop(_READ_AHEAD, None)


def rectifiers(session: Session, hazard_id: str) -> list[str]:
    """Everyone who ever rectified the hazard, in every remediation round."""
    ahead = session.info.get(_READ_AHEAD)
    if ahead is not None and hazard_id in ahead[0]:
        return sorted(ahead[0][hazard_id])
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
    ahead = session.info.get(_READ_AHEAD)
    if ahead is not None and hazard_id in ahead[1]:
        return ahead[1][hazard_id]
    return session.scalars(
        select(HazardTransition.actor)
        .where(
            HazardTransition.hazard_id == hazard_id,
            HazardTransition.action == Action.START_REMEDIATION.value,
        )
        .order_by(HazardTransition.id.desc())
        .limit(1)
    ).first()
