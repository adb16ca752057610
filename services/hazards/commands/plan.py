"""批准整改计划: the rectification plan a unit wrote for a hazard that cannot be fixed at
once is approved by a judge, never by its author; from then on a major hazard is judged
against the plan's deadline (悬而不决)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.hazards import access, domain, queries
from services.hazards.commands.common import get_hazard
from services.hazards.commands.events import record
from services.hazards.commands.lateness import announce_lateness
from services.hazards.domain import Status
from services.hazards.models import Hazard
from shared.errors import check_version
from shared.principal import Principal
from shared.timeutil import utcnow


def approve_plan(
    session: Session,
    principal: Principal,
    hazard_id: str,
    comment: str | None = None,
    if_match: int | None = None,
    *,
    now: datetime | None = None,
    policy: domain.Policy | None = None,
) -> Hazard:
    """批准整改计划: the security office, or a lead department of the category that is not
    the hazard's unit (as for 验收), never the plan's author. A plan approved after the days
    allowed is approved, and the lateness before it is announced first."""
    now, policy = now or utcnow(), policy or domain.Policy()
    hazard = get_hazard(session, principal, hazard_id, lock=True)
    check_version(hazard, if_match, "隐患")
    domain.check_open(Status(hazard.status))
    access.require_judge(principal, hazard, domain.PLAN_APPROVAL)
    domain.check_plan_approval(
        hazard.status,
        hazard.plan_deadline,
        hazard.plan_approved_at,
        principal.sub,
        queries.plan_author(session, hazard.id),
    )
    announce_lateness(session, hazard, now, policy)
    hazard.plan_approved_at = now
    hazard.version += 1
    record(
        session,
        hazard,
        "hazard.plan_approved",
        principal,
        action=domain.APPROVE_PLAN,
        previous=hazard.status,
        comment=domain.plan_approval_comment(hazard.plan_deadline, comment),
        at=now,
    )
    return hazard
