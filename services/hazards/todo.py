"""我的待办 in the hazard ledger: every step of the loop waiting for the caller, and the
extension requests (延期申请) waiting for their decision.

No rule of its own: the candidates are the hazards the caller sees (``access.visible_to``)
in a stage where one of the caller's roles may act (``domain.TRANSITIONS`` and
``ACTION_ROLES``); each is then asked ``access.actions_for`` — the same checks the steps
apply — so a hazard is listed exactly when its page would offer the caller a step.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from services.hazards import access, domain, queries
from services.hazards.domain import Action, Status
from services.hazards.models import ExtensionRequest, Hazard
from services.hazards.office.clues import todo as clue_todo
from services.hazards.registers import lapses_todo
from services.hazards.registers.emergency_plans import todo as plan_todo
from shared.errors import DomainError
from shared.principal import Principal
from shared.todo import DEFAULT_LIMIT, TodoCount, TodoItem, todo_answer

EXTENSION = "decide_extension"
# The loop's steps, in the order a hazard's kind is chosen (验收 before 驳回).
LOOP_KINDS = (
    Action.REGISTER,
    Action.REPORT,
    Action.START_REMEDIATION,
    Action.RECTIFY,
    Action.ACCEPT,
    Action.REJECT,
    Action.CLOSE,
    Action.ARCHIVE,
)
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


def stage_kinds(principal: Principal) -> dict[str, str]:
    """For each stage, the first step of the loop one of the caller's roles takes in it
    (``domain.TRANSITIONS`` and ``ACTION_ROLES``), in the to-do's order of kinds."""
    kinds = {}
    for stage in Status:
        for kind in LOOP_KINDS:
            sources, _ = domain.TRANSITIONS[Action(kind)]
            if stage in sources and principal.roles & domain.ACTION_ROLES[Action(kind)]:
                kinds[stage.value] = kind
                break
    return kinds


def waiting(principal: Principal) -> ColumnElement[bool]:
    """The hazards where a step may wait for the caller, in SQL: a unit's step in its scope
    (``access.acting_on``), a judgement or a plan to approve where it judges
    (``access.judged_by``). ``access.actions_for`` has the last word on each one listed."""
    kinds = stage_kinds(principal)
    judged = [s for s, k in kinds.items() if k in domain.JUDGEMENTS]
    plain = [s for s, k in kinds.items() if k not in domain.JUDGEMENTS]
    return or_(
        Hazard.status.in_(plain) & access.acting_on(principal),
        (Hazard.status.in_(judged) | queries.plan_awaiting()) & access.judged_by(principal),
    )


def due_column() -> ColumnElement:
    """SQL twin of ``due_of``'s date."""
    return case(
        (Hazard.status == Status.RECTIFIED.value, Hazard.acceptance_due),
        (Hazard.status.in_([s.value for s in domain.UNIT_STAGES]), Hazard.deadline),
        else_=None,
    )


def overdue_column(today: date) -> ColumnElement[bool]:
    """SQL twin of ``due_of``'s lateness (``queries.overdue`` while the unit owes the fix)."""
    late_acceptance = (Hazard.status == Status.RECTIFIED.value) & (Hazard.acceptance_due < today)
    return or_(queries.overdue(today), late_acceptance)


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


def step_counts(session: Session, principal: Principal, today: date) -> list[TodoCount]:
    """Every kind's count, in SQL (the list may be far longer than what is shown)."""
    kinds = stage_kinds(principal)
    late = overdue_column(today)
    stmt = access.visible_to(
        select(Hazard.status, late, func.count())
        .where(waiting(principal))
        .group_by(Hazard.status, late),
        principal,
    )
    counts: dict[str, list[int]] = {}
    for stage, overdue, number in session.execute(stmt):
        entry = counts.setdefault(kinds.get(stage, domain.APPROVE_PLAN), [0, 0])
        entry[0] += number
        entry[1] += number if overdue else 0
    return [
        TodoCount(kind, KIND_LABELS[kind], *counts[kind]) for kind in KIND_LABELS if kind in counts
    ]


def step_item(
    session: Session, principal: Principal, hazard: Hazard, today: date
) -> TodoItem | None:
    """The hazard's step waiting for the caller, as ``access.actions_for`` decides."""
    mine = access.actions_for(session, principal, hazard)
    kind = next((k for k in KIND_LABELS if k in mine), None)
    if kind is None:
        return None
    due_on, overdue = due_of(hazard, today)
    target = {"hazard_id": hazard.id}
    return TodoItem(str(kind), KIND_LABELS[kind], title_of(hazard), due_on, overdue, target)


def step_items(
    session: Session, principal: Principal, today: date, limit: int = DEFAULT_LIMIT
) -> list[TodoItem]:
    """The first ``limit`` hazards waiting for a step of the caller, soonest due first,
    each confirmed by ``access.actions_for`` (the checks the step itself applies)."""
    due = due_column()
    stmt = access.visible_to(
        select(Hazard)
        .where(waiting(principal))
        .order_by(due.is_(None), due, Hazard.number)
        .options(selectinload(Hazard.leads)),
        principal,
    )
    items: list[TodoItem] = []
    # Page by page, not a server-side cursor (yield_per): the read session autocommits on
    # PostgreSQL, where a cursor needs a transaction.
    for offset in itertools.count(0, limit):
        page = session.scalars(stmt.limit(limit).offset(offset)).all()
        # The history each row's checks ask (who rectified, who wrote the plan): read for
        # the whole page at once, not once per hazard.
        with queries.history_read_ahead(session, [hazard.id for hazard in page]):
            items += [
                item for hazard in page if (item := step_item(session, principal, hazard, today))
            ]
        if len(page) < limit or len(items) >= limit:
            break
    return items[:limit]


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


def todo(
    session: Session,
    principal: Principal,
    today: date,
    clue_days: int = clue_todo.DEFAULT_FOLLOW_UP_DAYS,
) -> dict[str, Any]:
    """Everything in the ledger waiting for ``principal`` on the campus day ``today``: the
    first steps by due date with every kind's count, the extension requests, and for the
    security office the clues with no follow-up in ``clue_days`` days."""
    items = step_items(session, principal, today) + extension_items(session, principal, today)
    items += clue_todo.stale_items(session, principal, today, clue_days)
    items += plan_todo.lapsed_items(session, principal, today)  # 应急预案 lapsed
    items += lapses_todo.lapse_items(session, principal, today)  # vehicles, buildings, placements
    return todo_answer("hazards", items, counted=step_counts(session, principal, today))
