"""The closed loop (闭环管理): moving a hazard one step, checking stage, actor and the
step's needs, applying the step's effect from ``domain.EFFECTS``, and announcing it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from services.hazards import access, domain, queries
from services.hazards.commands.common import get_hazard
from services.hazards.commands.events import announce
from services.hazards.commands.lateness import announce_lateness
from services.hazards.commands.severity import regrade
from services.hazards.commands.writes import write_step
from services.hazards.domain import Action, Status
from services.hazards.models import Hazard
from shared.errors import check_version
from shared.principal import Principal
from shared.timeutil import utcnow


def transition(
    session: Session,
    principal: Principal,
    hazard_id: str,
    action: Action,
    payload: dict[str, Any],
    if_match: int | None = None,
    *,
    now: datetime | None = None,
    policy: domain.Policy | None = None,
) -> Hazard:
    """Move a hazard one step along the loop, enforcing stage, actor, and required facts.

    A step that ends a lateness (``domain.ENDS_LATENESS``) first announces what ran before
    it and no sweep announced yet (overdue, 悬而不决, a late acceptance), in its own event:
    rectifying or deciding after the due date keeps the lateness on record."""
    now, policy = now or utcnow(), policy or domain.Policy()
    hazard = get_hazard(session, principal, hazard_id, lock=True)
    check_version(hazard, if_match, "隐患")
    previous = Status(hazard.status)
    domain.check_not_archived(previous)
    effect = domain.EFFECTS[action]
    access.require_actor(principal, hazard, action)
    if effect.judges_work:
        access.require_judge(principal, hazard, domain.ACCEPTANCE)
    target = domain.next_status(previous, action)
    if effect.ends_lateness:
        announce_lateness(session, hazard, now, policy)
    if effect.judges_work:
        domain.check_acceptor(principal.sub, queries.rectifiers(session, hazard.id))
    step = effect.apply(hazard, payload, now, policy)
    if step.severity is not None and step.severity != hazard.severity:
        regrade(session, principal, hazard, step.severity, step.severity_reason, now)
    for column, value in step.changes.items():
        setattr(hazard, column, value)
    hazard.status = target
    hazard.version += 1
    _, rows = announce(
        hazard,
        domain.ACTION_EVENTS[action],
        principal,
        action=action.value,
        previous=previous,
        comment=step.comment,
        at=now,
    )
    write_step(session, hazard, rows)
    return hazard


def close_hazard(
    session: Session, principal: Principal, hazard_id: str, comment: str | None = None
) -> Hazard:
    """销号: the security office closes out an accepted hazard."""
    return transition(session, principal, hazard_id, Action.CLOSE, {"comment": comment})
