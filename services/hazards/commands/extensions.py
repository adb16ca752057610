"""Deadline extensions (延期申请): asked by who starts remediation before the deadline (after
it, only the security office), decided by a judge outside the hazard's unit; approving
moves the deadline later, never earlier, and first announces the lateness that ran."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.hazards import access, domain
from services.hazards.commands.common import get_hazard
from services.hazards.commands.events import record
from services.hazards.commands.lateness import announce_lateness
from services.hazards.domain import Action, Status
from services.hazards.models import ExtensionRequest, Hazard
from shared.errors import NotFound
from shared.principal import Principal
from shared.timeutil import campus_time, utcnow

# A decided request, as the refusal to decide it again says.
EXTENSION_DECIDED = {"approved": "批准", "refused": "驳回"}


def request_extension(
    session: Session,
    principal: Principal,
    hazard_id: str,
    new_deadline: date,
    reason: str,
    *,
    now: datetime | None = None,
    policy: domain.Policy | None = None,
) -> ExtensionRequest:
    """Ask for a later deadline: who starts remediation, before the deadline; after it,
    only the security office (the request records which). One request waits at a time
    (409 naming the pending one)."""
    now, policy = now or utcnow(), policy or domain.Policy()
    hazard = get_hazard(session, principal, hazard_id, lock=True)
    access.require_actor(principal, hazard, Action.START_REMEDIATION)
    domain.check_open(Status(hazard.status))
    today = campus_time(now, policy.campus_tz).date()
    after = domain.check_extension_request(principal.roles, hazard.deadline, today)
    pending = session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.hazard_id == hazard.id, ExtensionRequest.status == "pending")
        .order_by(ExtensionRequest.created_at)
        .limit(1)
    ).first()
    domain.check_no_pending_extension(
        pending and pending.id, pending and pending.requested_deadline
    )
    domain.check_extension_lengthens(new_deadline, hazard.deadline, "new_deadline")
    request = ExtensionRequest(
        hazard_id=hazard.id,
        requested_by=principal.sub,
        requested_by_name=principal.name[:50] or None,
        requested_deadline=new_deadline,
        reason=reason,
        deadline_when_asked=hazard.deadline,
        asked_after_deadline=after,
        status="pending",
        created_at=now,
    )
    session.add(request)
    session.flush()
    return request


def decide_extension(
    session: Session,
    principal: Principal,
    request_id: str,
    approve: bool,
    comment: str | None,
    *,
    now: datetime | None = None,
    policy: domain.Policy | None = None,
) -> ExtensionRequest:
    """Approve (the deadline moves; the old one stays in the history) or refuse: the
    security office, or a lead department of the category for another unit's hazard —
    never the hazard's own unit, and after the deadline only the security office.

    Approving re-checks that the requested deadline is still later than the current one
    (409 otherwise: it never shortens a deadline), and first announces lateness the sweep
    has not announced yet (an extension never erases lateness that already ran)."""
    now, policy = now or utcnow(), policy or domain.Policy()
    request = session.get(ExtensionRequest, request_id, with_for_update=True)
    if request is None:
        raise NotFound(f"延期申请 {request_id} 不存在")
    hazard = get_hazard(session, principal, request.hazard_id, lock=True)
    domain.check_extension_decider(
        principal.roles,
        principal.unit,
        hazard.unit_code,
        hazard.lead_departments,
        hazard.deadline,
        campus_time(now, policy.campus_tz).date(),
    )
    if request.requested_by == principal.sub:
        raise domain.SameActor("延期申请不能由申请人本人审批")
    if request.status != "pending":
        raise domain.InvalidTransition(
            f"该延期申请已{EXTENSION_DECIDED.get(request.status, request.status)}"
        )
    domain.check_open(Status(hazard.status))
    if approve:
        domain.check_extension_lengthens(request.requested_deadline, hazard.deadline, None)
    request.status = "approved" if approve else "refused"
    request.decided_by = principal.sub
    request.decided_by_name = principal.name[:50] or None
    request.decided_at = now
    request.decision_comment = comment
    if approve:
        _extend(session, principal, hazard, request.requested_deadline, comment, now, policy)
    return request


def _extend(
    session: Session,
    principal: Principal,
    hazard: Hazard,
    new_deadline: date,
    comment: str | None,
    now: datetime,
    policy: domain.Policy,
) -> None:
    """Move the deadline (and the plan's 时限, which is the hazard's deadline), after
    announcing what ran late before it."""
    announce_lateness(session, hazard, now, policy)
    old = hazard.deadline
    for column, value in domain.deadline_change(hazard.deadline, new_deadline, now).items():
        setattr(hazard, column, value)
    if hazard.plan_deadline is not None:
        hazard.plan_deadline = new_deadline
    hazard.version += 1
    record(
        session,
        hazard,
        "hazard.deadline_extended",
        principal,
        action=domain.EXTEND,
        previous=hazard.status,
        comment=domain.extension_comment(old, new_deadline, comment),
        at=now,
    )
