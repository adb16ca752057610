"""Who may see and act on a hazard: each rule in Python and, where lists need it, in SQL
beside it.

Seeing: the security office and leadership all; every lead department of the hazard
(co-leads included) its hazards in any unit; units theirs (``can_see`` / ``visible_to``).
Acting: the loop's roles (``domain.ACTION_ROLES``) in scope (``require_actor``); judging
the unit's work — 验收, plan approval — from outside the unit (``require_judge``); files
by those who act on the hazard (``may_attach``); reporting in one's unit, a lead
department in any unit for its categories, grid staff in the cells they hold
(``require_reporter``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, false, or_, true
from sqlalchemy.orm import Session

from services.hazards import domain, leads, queries
from services.hazards.domain import Action, Status
from services.hazards.models import ExtensionRequest, Hazard
from shared.errors import DomainError, Forbidden
from shared.grid_projection import cells_held_by
from shared.principal import (
    GRID_STAFF,
    LEAD_DEPARTMENT,
    PORTAL,
    SECURITY_OFFICE,
    UNIT_MANAGER,
    Principal,
    role_names,
)

# Lead departments report in any unit, for the categories they lead (督导检查, rule 7).
REPORTER_ROLES = (SECURITY_OFFICE, UNIT_MANAGER, GRID_STAFF, PORTAL, LEAD_DEPARTMENT)


# -- seeing -------------------------------------------------------------------------------
def can_see(principal: Principal, hazard: Hazard) -> bool:
    """Security office and leadership: all; every lead department of the hazard (co-leads
    included): its hazards in any unit; units: theirs. SQL twin: ``visible_to``."""
    if principal.can_access_unit(hazard.unit_code):
        return True
    return LEAD_DEPARTMENT in principal.roles and principal.unit in hazard.lead_departments


def visible_to(stmt: Select, principal: Principal) -> Select:
    """SQL twin of ``can_see``: one's unit, or any hazard one is a lead of."""
    if principal.is_global:
        return stmt
    conditions = [Hazard.unit_code == principal.unit]
    if LEAD_DEPARTMENT in principal.roles:
        conditions.append(leads.hazard_led_by(principal.unit))
    return stmt.where(or_(*conditions))


def require_visible(principal: Principal, hazard: Hazard) -> None:
    if not can_see(principal, hazard):
        # Generic on purpose: naming the hazard or its unit would tell an outsider both.
        raise Forbidden("该隐患不在您的单位权限范围内")


# -- reporting ----------------------------------------------------------------------------
def require_reporter_scope(
    session: Session,
    principal: Principal,
    unit_code: str,
    cell_id: str | None,
    lead_units: list[str],
    found_day: date,
) -> None:
    """One reports in one's own unit; a lead department also in any unit, in the
    categories it leads (``lead_units``: the category's); grid staff only in the cells
    they hold on the day found (and the places below them)."""
    leading = LEAD_DEPARTMENT in principal.roles and principal.unit in lead_units
    if not leading:
        principal.require_unit(unit_code)
    only_staff = principal.roles & set(REPORTER_ROLES) == {GRID_STAFF}
    if only_staff and (
        cell_id is None or cell_id not in cells_held_by(session, principal.sub, found_day)
    ):
        raise Forbidden("网格员只能在自己负责的网格内上报隐患")


# -- acting -------------------------------------------------------------------------------
def require_actor(principal: Principal, hazard: Hazard, action: Action) -> None:
    """The action's roles (``domain.ACTION_ROLES``) in scope: the security office anywhere,
    the unit's manager and grid staff in the hazard's unit, its lead departments."""
    roles = domain.ACTION_ROLES[action]
    if SECURITY_OFFICE in principal.roles and SECURITY_OFFICE in roles:
        return
    if principal.roles & roles & {UNIT_MANAGER, GRID_STAFF} and principal.unit == hazard.unit_code:
        return
    if LEAD_DEPARTMENT in roles & principal.roles and principal.unit in hazard.lead_departments:
        return
    raise Forbidden(
        f"「{domain.ACTION_LABELS[action]}」须由本范围内的以下角色之一办理：{role_names(roles)}"
    )


def require_judge(principal: Principal, hazard: Hazard, what: str) -> None:
    """The security office, or a lead department of the hazard that is not its unit."""
    domain.check_judge(
        principal.roles, principal.unit, hazard.unit_code, hazard.lead_departments, what
    )


def acting_on(principal: Principal) -> ColumnElement[bool]:
    """SQL twin of ``require_actor`` for the steps a unit takes (all but the judgements):
    the security office anywhere, the unit's manager and grid staff in their unit."""
    if SECURITY_OFFICE in principal.roles:
        return true()
    if principal.roles & {UNIT_MANAGER, GRID_STAFF} and principal.unit:
        return Hazard.unit_code == principal.unit
    return false()


def judged_by(principal: Principal) -> ColumnElement[bool]:
    """SQL twin of ``require_judge`` (``domain.may_judge``): the security office on any
    hazard, a lead department on another unit's hazards of the categories it leads."""
    if SECURITY_OFFICE in principal.roles:
        return true()
    if LEAD_DEPARTMENT in principal.roles and principal.unit:
        return (Hazard.unit_code != principal.unit) & leads.hazard_led_by(principal.unit)
    return false()


def may_attach(principal: Principal, hazard: Hazard) -> bool:
    """Whether ``principal`` may add photos or documents now (the upload's own checks)."""
    if hazard.status == Status.ARCHIVED:
        return False
    try:
        domain.check_uploader(principal.roles, principal.unit, hazard.unit_code)
    except DomainError:
        return False
    return True


def actions_for(session: Session, principal: Principal, hazard: Hazard) -> list[str]:
    """The steps ``principal`` may take next on ``hazard``: the loop's allowed actions
    (domain.allowed_actions) that pass the same actor checks ``transition`` applies
    (require_actor, and an acceptor who never rectified the hazard); then approving the
    rectification plan (``domain.APPROVE_PLAN``) when one awaits it and ``approve_plan``
    would let the caller."""
    mine = []
    who_rectified: list[str] | None = None
    for name in domain.allowed_actions(Status(hazard.status)):
        action = Action(name)
        try:
            require_actor(principal, hazard, action)
            if action in domain.JUDGEMENTS:
                require_judge(principal, hazard, domain.ACCEPTANCE)
                if who_rectified is None:
                    who_rectified = queries.rectifiers(session, hazard.id)
                domain.check_acceptor(principal.sub, who_rectified)
        except DomainError:
            continue
        mine.append(name)
    if may_approve_plan(session, principal, hazard):
        mine.append(domain.APPROVE_PLAN)
    return mine


def may_approve_plan(session: Session, principal: Principal, hazard: Hazard) -> bool:
    """A plan awaits approval and ``principal`` is a judge who did not write it."""
    if not domain.plan_awaits_approval(
        hazard.status, hazard.plan_deadline, hazard.plan_approved_at
    ):
        return False
    try:
        require_judge(principal, hazard, domain.PLAN_APPROVAL)
        domain.check_plan_approval(
            hazard.status,
            hazard.plan_deadline,
            hazard.plan_approved_at,
            principal.sub,
            queries.plan_author(session, hazard.id),
        )
    except DomainError:
        return False
    return True


def may_request_extension(principal: Principal, hazard: Hazard, today: date) -> bool:
    """Whether ``principal`` may ask for an extension now: the checks of
    ``commands.request_extension`` that do not depend on other requests (one pending
    request at a time is the caller's to read from the list)."""
    try:
        require_actor(principal, hazard, Action.START_REMEDIATION)
        domain.check_open(Status(hazard.status))
        domain.check_extension_request(principal.roles, hazard.deadline, today)
    except DomainError:
        return False
    return True


def may_decide_extension(
    principal: Principal, hazard: Hazard, request: ExtensionRequest, today: date
) -> bool:
    """Whether ``principal`` may approve or refuse ``request`` now (the checks of
    ``commands.decide_extension``)."""
    if request.status != "pending" or request.requested_by == principal.sub:
        return False
    try:
        domain.check_extension_decider(
            principal.roles,
            principal.unit,
            hazard.unit_code,
            hazard.lead_departments,
            hazard.deadline,
            today,
        )
        domain.check_open(Status(hazard.status))
    except DomainError:
        return False
    return True
