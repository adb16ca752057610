"""A unit's phase work on a task: submitted by the unit (again after a return), confirmed
or returned by a lead department of the task; each step kept in order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.reporting.commands import insert_once
from services.reporting.domain import Conflict
from services.reporting.flags import unit_cells
from services.reporting.models import (
    CampaignPhase,
    CampaignTask,
    TaskCompletion,
    TaskCompletionStep,
    TaskLedgerEntry,
)
from services.reporting.work import access, domain
from services.reporting.work.commands.lookups import (
    find_work,
    get_phase,
    get_task,
    invalid,
    step_times,
    units_phase,
    work_status,
)
from services.reporting.work.commands.phase_flags import raise_phase_flag
from services.reporting.work.domain import WorkStatus
from shared.errors import NotFound
from shared.principal import Principal


def _work_cell(
    session: Session, campaign_id: str, task_id: str, phase_id: str, unit_code: str
) -> tuple[CampaignTask, CampaignPhase]:
    task = get_task(session, campaign_id, task_id)
    phase = get_phase(session, campaign_id, phase_id)
    if unit_code not in access.units_of(task):
        raise NotFound(f"{unit_code} 不承担任务{task.number}")
    return task, phase


def _step(
    work: TaskCompletion, step: WorkStatus, principal: Principal, text: str | None, now: datetime
) -> None:
    work.steps.append(
        TaskCompletionStep(
            position=len(work.steps) + 1,
            step=step.value,
            actor=principal.sub,
            actor_unit=principal.unit,
            text=text,
            at=now,
        )
    )
    work.status = step.value


def _require_submittable(
    session: Session, task: CampaignTask, phase: CampaignPhase, unit_code: str
) -> TaskCompletion | None:
    """The unit's own phase, work not standing, at least one ledger entry of the unit in
    the phase; the work so far (locked), if any."""
    if not units_phase(phase):
        raise invalid(
            "phase_id",
            f"{phase.name}是牵头部门的阶段：其工作是对各二级学院的督查报告，不由单位提交",
            "path",
        )
    work = find_work(session, task, phase, unit_code, lock=True)
    refused = domain.work_step_refused(work_status(work), WorkStatus.SUBMITTED)
    if refused:
        raise Conflict(f"{unit_code} 在{phase.name}中任务{task.number}的工作：{refused}")
    entries = session.scalar(
        select(func.count(TaskLedgerEntry.id)).where(
            TaskLedgerEntry.task_id == task.id,
            TaskLedgerEntry.phase_id == phase.id,
            TaskLedgerEntry.unit_code == unit_code,
        )
    )
    if not entries:
        raise invalid(
            "phase_id",
            f"{unit_code} 在{phase.name}中任务{task.number}下还没有台账记录："
            "请先记录工作（工作机构、工作方案、自查台账、整改方案 …）再提交",
            "path",
        )
    return work


def submit_work(
    session: Session,
    principal: Principal,
    campaign_id: str,
    task_id: str,
    phase_id: str,
    unit_code: str,
    data: dict[str, Any],
    now: datetime,
    tz: str,
) -> TaskCompletion:
    """The unit marks its phase work on the task done (again, after a return). It needs at
    least one ledger entry about the unit in the phase. Not standing when the deadline
    passed: late, and the phase-task flag is raised (once per cause)."""
    task, phase = _work_cell(session, campaign_id, task_id, phase_id, unit_code)
    access.require_submitter(principal, unit_code)
    work = _require_submittable(session, task, phase, unit_code)
    if work is None:
        work = TaskCompletion(
            campaign_id=campaign_id,
            task_id=task.id,
            phase_id=phase.id,
            unit_code=unit_code,
            status=WorkStatus.SUBMITTED.value,
            submitted_at=now,
            submitted_by=principal.sub,
            late=False,
            steps=[],
        )
        insert_once(session, work, f"{unit_code} 在{phase.name}中任务{task.number}的工作已存在")
    work.submitted_at = now
    work.submitted_by = principal.sub
    work.note = data.get("note")
    _step(work, WorkStatus.SUBMITTED, principal, data.get("note"), now)
    work.late = not domain.work_in_time(step_times(work), phase.deadline, tz)
    session.flush()
    if work.late:
        raise_phase_flag(session, task, phase, unit_code, now, tz, unit_cells(session), work)
    return work


def decide_work(
    session: Session,
    principal: Principal,
    campaign_id: str,
    task_id: str,
    phase_id: str,
    unit_code: str,
    step: WorkStatus,
    data: dict[str, Any],
    now: datetime,
) -> TaskCompletion:
    """A lead department of the task confirms the unit's submitted work, or returns it
    with a reason (the unit then submits it again)."""
    if step not in (WorkStatus.CONFIRMED, WorkStatus.RETURNED):
        raise ValueError(step)
    task, phase = _work_cell(session, campaign_id, task_id, phase_id, unit_code)
    access.require_reviewer(principal, task, unit_code)
    text = data.get("reason") if step == WorkStatus.RETURNED else data.get("note")
    if step == WorkStatus.RETURNED and not (text or "").strip():
        raise invalid("reason", "退回须写明理由，供单位据此整改")
    work = find_work(session, task, phase, unit_code, lock=True)
    refused = domain.work_step_refused(work_status(work), step)
    if work is None or refused:
        raise Conflict(f"{unit_code} 在{phase.name}中任务{task.number}的工作：{refused}")
    _step(work, step, principal, text, now)
    work.decided_at = now
    work.decided_by = principal.sub
    work.decided_unit = principal.unit
    if step == WorkStatus.RETURNED:
        work.return_reason = text
    session.flush()
    return work


def list_completions(
    session: Session,
    principal: Principal,
    campaign_id: str,
    task_id: str,
    query: dict[str, Any],
) -> list[TaskCompletion]:
    """The units' phase work on the task that was ever submitted, with its status and
    steps (a unit sees its own)."""
    task = get_task(session, campaign_id, task_id)
    only = access.task_reader_unit(principal, task)
    stmt = select(TaskCompletion).where(TaskCompletion.task_id == task.id)
    if only:
        stmt = stmt.where(TaskCompletion.unit_code == only)
    for key in ("phase_id", "unit_code", "status"):
        if query.get(key):
            stmt = stmt.where(getattr(TaskCompletion, key) == query[key])
    return list(
        session.scalars(stmt.order_by(TaskCompletion.submitted_at, TaskCompletion.unit_code))
    )
