"""我的待办 in the hazard ledger: every step of the loop waiting for the caller, and the
extension requests (延期申请) waiting for their decision.

No rule of its own: the candidates are the hazards the caller sees (``access.visible_to``)
in a stage where one of the caller's roles may act (``domain.TRANSITIONS`` and
``ACTION_ROLES``); each is then asked ``access.actions_for`` — the same checks the steps
apply — so a hazard is listed exactly when its page would offer the caller a step.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.hazards import access, domain
from services.hazards.domain import Action, Status
from services.hazards.models import ExtensionRequest, Hazard
from shared.errors import DomainError
from shared.principal import Principal
from shared.todo import TodoItem

EXTENSION = "decide_extension"
# The step each kind names, as the to-do shows it; the first of a hazard's actions in this
# order is its kind (验收 covers accepting and rejecting).
KIND_LABELS: dict[str, str] = {
    Action.REGISTER: "登记评估",
    Action.REPORT: "报告",
    Action.START_REMEDIATION: "落实整改（四落实）",
    Action.RECTIFY: "整改完成",
    Action.ACCEPT: "验收",
    Action.REJECT: "验收",
    domain.APPROVE_PLAN: "审批整改计划",
    Action.CLOSE: "销号",
    Action.ARCHIVE: "备案存档",
    EXTENSION: "审批延期申请",
}
_TITLE_CHARS = 40


def actionable_stages(principal: Principal) -> set[str]:
    """The stages in which one of the caller's roles takes some step of the loop."""
    stages = {
        stage.value
        for action, (sources, _) in domain.TRANSITIONS.items()
        if principal.roles & domain.ACTION_ROLES[action]
        for stage in sources
    }
    if principal.roles & domain.ACTION_ROLES[Action.ACCEPT]:  # judges approve plans too
        stages |= {s.value for s in domain.OPEN_STATUSES}
    return stages


def title_of(hazard: Hazard) -> str:
    text = (
        hazard.description
        if len(hazard.description) <= _TITLE_CHARS
        else (hazard.description[: _TITLE_CHARS - 1] + "…")
    )
    return f"{hazard.number} {text}"


def due_of(hazard: Hazard, today: date) -> tuple[date | None, bool]:
    """The date the waiting step is due and whether it is past: the unit's deadline while it
    owes the fix (``domain.is_overdue``), the acceptance deadline while awaiting 验收."""
    status = Status(hazard.status)
    if status == Status.RECTIFIED:
        return hazard.acceptance_due, domain.deadline_passed(hazard.acceptance_due, today)
    if status in domain.UNIT_STAGES:
        return hazard.deadline, domain.is_overdue(status, hazard.deadline, today)
    return None, False


def step_items(session: Session, principal: Principal, today: date) -> list[TodoItem]:
    stages = actionable_stages(principal)
    if not stages:
        return []
    stmt = access.visible_to(
        select(Hazard).where(Hazard.status.in_(sorted(stages))).options(selectinload(Hazard.leads)),
        principal,
    )
    items = []
    for hazard in session.scalars(stmt):
        mine = access.actions_for(session, principal, hazard)
        kind = next((k for k in KIND_LABELS if k in mine), None)
        if kind is None:
            continue
        due_on, overdue = due_of(hazard, today)
        target = {"hazard_id": hazard.id}
        items.append(
            TodoItem(str(kind), KIND_LABELS[kind], title_of(hazard), due_on, overdue, target)
        )
    return items


def extension_items(session: Session, principal: Principal, today: date) -> list[TodoItem]:
    """Pending requests the caller may decide (``domain.check_extension_decider``), never
    their own; due by the deadline they would move."""
    stmt = access.visible_to(
        select(ExtensionRequest, Hazard)
        .join(Hazard, Hazard.id == ExtensionRequest.hazard_id)
        .where(
            ExtensionRequest.status == "pending",
            ExtensionRequest.requested_by != principal.sub,
            Hazard.status.in_([s.value for s in domain.OPEN_STATUSES]),
        ),
        principal,
    )
    items = []
    for request, hazard in session.execute(stmt):
        try:
            domain.check_extension_decider(
                principal.roles,
                principal.unit,
                hazard.unit_code,
                hazard.lead_departments,
                hazard.deadline,
                today,
            )
        except DomainError:
            continue
        title = f"{title_of(hazard)}（申请延期至 {request.requested_deadline.isoformat()}）"
        target = {"hazard_id": hazard.id, "extension_id": request.id}
        overdue = domain.deadline_passed(hazard.deadline, today)
        items.append(
            TodoItem(EXTENSION, KIND_LABELS[EXTENSION], title, hazard.deadline, overdue, target)
        )
    return items


def todo(session: Session, principal: Principal, today: date) -> list[TodoItem]:
    """Everything in the ledger waiting for ``principal`` on the campus day ``today``."""
    return step_items(session, principal, today) + extension_items(session, principal, today)
