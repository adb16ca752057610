"""我的待办 in reporting: accountability flags to explain (the unit named) or decide (the
security office), statistics tables due (the unit's manager), phase work due (the unit's
manager) and submitted phase work to confirm or return (its lead departments).

No rule of its own: flags are asked ``flags.actions_for`` (the review's own checks);
tables follow the sweep's reminder rule (``domain.reminder_due``: from the reminder days
before the date, and every table still missing after it); phase work follows
``work.access`` (``units_of``, ``require_submitter``, ``require_reviewer``). Submitting on
a unit's behalf is open to the security office too, but it waits for the unit's manager,
so only the manager's to-do lists it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.reporting import domain, flags
from services.reporting.commands import campaign_unit_names
from services.reporting.models import (
    CampaignPhase,
    CampaignTask,
    CampaignUnit,
    Flag,
    ReportingDue,
    Submission,
    TaskCompletion,
)
from services.reporting.work import access as work_access
from services.reporting.work import domain as work_domain
from shared.errors import DomainError
from shared.principal import UNIT_MANAGER, Principal
from shared.timeutil import campus_today
from shared.todo import TodoItem

EXPLAIN, DECIDE = "explain_flag", "decide_flag"
SUBMIT_TABLE, SUBMIT_WORK, REVIEW_WORK = "submit_table", "submit_work", "review_work"
KIND_LABELS = {
    EXPLAIN: "提交情况说明",
    DECIDE: "认定问责记录",
    SUBMIT_TABLE: "报送统计表",
    SUBMIT_WORK: "提交阶段工作",
    REVIEW_WORK: "确认阶段工作",
}
# The flag's review steps that wait for someone (appealing is the unit's choice, not a step
# owed).
_FLAG_KINDS = {"explain": EXPLAIN, "decide": DECIDE}


@dataclass(frozen=True)
class Moment:
    """When the to-do is asked: the instant, the campus time zone, and the settings' days."""

    now: datetime
    tz: str
    review_window: timedelta
    reminder_days: int


def flag_items(session: Session, principal: Principal, at: Moment) -> list[TodoItem]:
    """Flags whose review waits for the caller; an explanation is due when the window
    closes, a decision has no date of its own."""
    # Plain rows of the columns the review's checks and the item read (they stand in for
    # the flag in ``flags.actions_for``): not flag objects with their history, files and
    # evidence, since a campus with many overdue hazards has thousands of open flags.
    stmt = select(
        Flag.id,
        Flag.rule,
        Flag.unit_code,
        Flag.person_name,
        Flag.status,
        Flag.raised_at,
        Flag.explained_at,
        Flag.decided_at,
        Flag.appealed_at,
        Flag.appeal_decided_at,
    ).where(
        Flag.status != domain.FlagStatus.SUPERSEDED.value,
        or_(Flag.decided_at.is_(None), Flag.appealed_at.is_not(None)),
        Flag.appeal_decided_at.is_(None),
    )
    if not principal.is_global:
        stmt = stmt.where(Flag.unit_code == principal.unit)
    items = []
    for flag in session.execute(stmt):
        mine = flags.actions_for(principal, flag, at.review_window, at.now)
        kind = next((_FLAG_KINDS[k] for k in mine if k in _FLAG_KINDS), None)
        if kind is None:
            continue
        rule = domain.RULE_LABELS[domain.Rule(flag.rule)]
        closes = flag.raised_at + at.review_window
        due_on = campus_today(at.tz, closes) if kind == EXPLAIN else None
        title = f"{rule}（{flag.person_name}）" if flag.person_name else rule
        items.append(TodoItem(kind, KIND_LABELS[kind], title, due_on, False, {"flag_id": flag.id}))
    return items


def _managed_unit(principal: Principal) -> str | None:
    """The unit whose tables and phase work wait for the caller: a unit manager's own."""
    if UNIT_MANAGER in principal.roles and principal.unit:
        return principal.unit
    return None


def table_items(session: Session, principal: Principal, at: Moment) -> list[TodoItem]:
    """The unit's statistics tables not submitted: those the sweep reminds of, and every one
    past its date (still owed, late)."""
    unit = _managed_unit(principal)
    if unit is None:
        return []
    today = campus_today(at.tz, at.now)
    submitted = select(Submission.due_id).where(Submission.unit_code == unit)
    stmt = (
        select(ReportingDue, CampaignUnit)
        .join(CampaignUnit, CampaignUnit.campaign_id == ReportingDue.campaign_id)
        .where(CampaignUnit.unit_code == unit, ReportingDue.id.not_in(submitted))
    )
    items = []
    for due, _ in session.execute(stmt):
        passed = domain.due_passed(at.now, due.due_on, at.tz)
        if not passed and not domain.reminder_due(today, due.due_on, at.reminder_days):
            continue
        title = f"统计表（{due.period_start.isoformat()} 至 {due.period_end.isoformat()}）"
        target = {"campaign_id": due.campaign_id, "due_id": due.id, "unit_code": unit}
        items.append(
            TodoItem(SUBMIT_TABLE, KIND_LABELS[SUBMIT_TABLE], title, due.due_on, passed, target)
        )
    return items


def _units_phases(session: Session) -> Iterator[tuple[CampaignPhase, list[CampaignTask]]]:
    """Each phase of the answering units' own work, with its campaign's tasks."""
    phases = session.scalars(select(CampaignPhase).order_by(CampaignPhase.position)).all()
    tasks: dict[str, list[CampaignTask]] = {}
    for task in session.scalars(select(CampaignTask).order_by(CampaignTask.position)):
        tasks.setdefault(task.campaign_id, []).append(task)
    for phase in phases:
        if work_domain.units_phase(phase.party):
            yield phase, tasks.get(phase.campaign_id, [])


def _work_title(task: CampaignTask, phase: CampaignPhase) -> str:
    return f"重点任务{task.number}“{task.title}”·{phase.name}"


def _work_target(task: CampaignTask, phase: CampaignPhase, unit: str) -> dict[str, str]:
    return {
        "campaign_id": task.campaign_id,
        "task_id": task.id,
        "phase_id": phase.id,
        "unit_code": unit,
    }


def _phases_now(
    phases: list[tuple[CampaignPhase, list[CampaignTask]]], at: Moment
) -> list[tuple[CampaignPhase, list[CampaignTask]]]:
    """The phases whose work is owed now: every one past its deadline and, in each
    campaign, the first one still running (later phases have not begun)."""
    running: set[str] = set()
    owed = []
    for phase, tasks in phases:
        if domain.due_passed(at.now, phase.deadline, at.tz):
            owed.append((phase, tasks))
        elif phase.campaign_id not in running:
            running.add(phase.campaign_id)
            owed.append((phase, tasks))
    return owed


def work_items(session: Session, principal: Principal, at: Moment) -> list[TodoItem]:
    """The unit's phase work not submitted (or returned) in the phases owed now."""
    unit = _managed_unit(principal)
    if unit is None:
        return []
    done = {
        (w.task_id, w.phase_id)
        for w in session.scalars(select(TaskCompletion).where(TaskCompletion.unit_code == unit))
        if w.status in work_domain.STANDING
    }
    items = []
    for phase, tasks in _phases_now(list(_units_phases(session)), at):
        passed = domain.due_passed(at.now, phase.deadline, at.tz)
        for task in tasks:
            if unit not in work_access.units_of(task) or (task.id, phase.id) in done:
                continue
            try:
                work_access.require_submitter(principal, unit)
            except DomainError:
                continue
            title, target = _work_title(task, phase), _work_target(task, phase, unit)
            label = KIND_LABELS[SUBMIT_WORK]
            items.append(TodoItem(SUBMIT_WORK, label, title, phase.deadline, passed, target))
    return items


def review_items(session: Session, principal: Principal) -> list[TodoItem]:
    """Submitted phase work the caller may confirm or return (``require_reviewer``)."""
    stmt = (
        select(TaskCompletion, CampaignTask, CampaignPhase)
        .join(CampaignTask, CampaignTask.id == TaskCompletion.task_id)
        .join(CampaignPhase, CampaignPhase.id == TaskCompletion.phase_id)
        .where(TaskCompletion.status == work_domain.WorkStatus.SUBMITTED.value)
    )
    items, names = [], {}
    for work, task, phase in session.execute(stmt):
        try:
            work_access.require_reviewer(principal, task, work.unit_code)
        except DomainError:
            continue
        if task.campaign_id not in names:
            names[task.campaign_id] = campaign_unit_names(session, task.campaign_id)
        unit_name = names[task.campaign_id].get(work.unit_code, work.unit_code)
        title = f"{unit_name}：{_work_title(task, phase)}"
        target = _work_target(task, phase, work.unit_code)
        items.append(TodoItem(REVIEW_WORK, KIND_LABELS[REVIEW_WORK], title, None, False, target))
    return items


def todo(session: Session, principal: Principal, at: Moment) -> list[TodoItem]:
    """Everything in reporting waiting for ``principal`` at ``at``."""
    return (
        flag_items(session, principal, at)
        + table_items(session, principal, at)
        + work_items(session, principal, at)
        + review_items(session, principal)
    )
