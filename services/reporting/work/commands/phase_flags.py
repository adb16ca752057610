"""Phase-task flags (``Rule.PHASE_TASK_INCOMPLETE``), one per cause, after a phase deadline:

- units' phase: a unit whose work on a task did not stand submitted or confirmed when the
  deadline passed (never submitted by then, or returned and not submitted again by then;
  ``domain.work_in_time``). What happens after the deadline neither raises nor clears it,
  so the answer is the same whenever the sweep runs; a late submission raises it at once.
  Work returned after the deadline was in time: the unit is not flagged for the lead's
  late review (the matrix shows it returned until it is submitted again).
- lead departments' phase: each lead department of the campaign's tasks that had not
  written a report on every secondary college by the deadline, once per phase (not once
  per task it leads: one omission, one flag); colleges are not flagged in that phase.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.commands import campaign_unit_names
from services.reporting.domain import Rule, answers_for, cause_key, due_passed, end_of_day
from services.reporting.flags import raise_flag, unit_cells, units_in_grid
from services.reporting.models import CampaignPhase, CampaignTask, Flag, TaskCompletion
from services.reporting.work import access, domain
from services.reporting.work.commands.lookups import (
    colleges,
    first_reports,
    step_times,
    tasks,
    units_phase,
)
from services.reporting.work.domain import WorkStatus
from shared.timeutil import campus_time


class _Sweep:
    """What one run of the sweep knows: the clock, the grid's units, the cells (read
    once, when the first flag needs them)."""

    def __init__(self, session: Session, now: datetime, tz: str) -> None:
        self.session, self.now, self.tz = session, now, tz
        self.in_grid = units_in_grid(session)
        self._cells: dict[str, str] | None = None

    @property
    def cells(self) -> dict[str, str]:
        if self._cells is None:
            self._cells = unit_cells(self.session)
        return self._cells

    def answers(self, unit: str, phase: CampaignPhase) -> bool:
        """The grid knew the unit before the phase deadline (``domain.answers_for``)."""
        return unit in self.in_grid and answers_for(self.in_grid[unit], phase.deadline, self.tz)


def _evidence(
    task: CampaignTask, phase: CampaignPhase, work: TaskCompletion | None, now: datetime, tz: str
) -> dict[str, Any]:
    """What the flag shows: the phase, the task and the work's status at the deadline."""
    end = end_of_day(phase.deadline, tz)
    at_deadline = domain.work_status_at(step_times(work), end)
    evidence: dict[str, Any] = {
        "phase_id": phase.id,
        "phase": phase.name,
        "party": phase.party,
        "deadline": phase.deadline.isoformat(),
        "task_id": task.id,
        "task_number": task.number,
        "task_title": task.title,
        "work_status_at_deadline": at_deadline.value,
        "checked_at": campus_time(now, tz).isoformat(),
    }
    if work is not None:
        evidence["completion_id"] = work.id
        if at_deadline == WorkStatus.RETURNED:
            last = [s for s in work.steps if s.step == WorkStatus.RETURNED and s.at < end][-1]
            evidence["returned_at"] = campus_time(last.at, tz).isoformat()
            evidence["return_reason"] = last.text
        if work.status in domain.STANDING:
            evidence["submitted_at"] = campus_time(work.submitted_at, tz).isoformat()
    return evidence


def raise_phase_flag(
    session: Session,
    task: CampaignTask,
    phase: CampaignPhase,
    unit_code: str,
    now: datetime,
    tz: str,
    cells: dict[str, str],
    work: TaskCompletion | None = None,
) -> Flag | None:
    """The unit's work on the task did not stand submitted when the phase deadline passed."""
    return raise_flag(
        session,
        Rule.PHASE_TASK_INCOMPLETE,
        unit_code,
        cause_key(Rule.PHASE_TASK_INCOMPLETE, phase.id, task.id, unit_code),
        campaign_id=task.campaign_id,
        cell_id=cells.get(unit_code),
        evidence=_evidence(task, phase, work, now, tz),
        day=phase.deadline,
        at=now,
    )


def phase_sweep(session: Session, now: datetime, tz: str) -> dict[str, int]:
    """After each phase deadline, the phase's party answers for it: in a units' phase one
    flag per task and answering unit whose work did not stand submitted at the deadline;
    in the lead departments' phase one flag per lead department without a report on
    every secondary college by then. Only units the grid knows are flagged (as in
    ``commands.sweep``). Idempotent by the cause key."""
    run = _Sweep(session, now, tz)
    raised = 0
    due = [
        p
        for p in session.scalars(select(CampaignPhase).order_by(CampaignPhase.deadline))
        if due_passed(now, p.deadline, tz)
    ]
    for phase in due:
        prefix = cause_key(Rule.PHASE_TASK_INCOMPLETE, phase.id) + ":"
        flagged = set(
            session.scalars(
                select(Flag.cause_key).where(Flag.cause_key.startswith(prefix, autoescape=True))
            )
        )
        if units_phase(phase):
            raised += _units_sweep(run, phase, flagged)
        else:
            raised += _supervision_sweep(run, phase, flagged)
    return {"phase_flags": raised}


def _units_sweep(run: _Sweep, phase: CampaignPhase, flagged: set[str]) -> int:
    """A units' phase: each answering unit's work on each task stood in time, or is flagged."""
    works = {
        (c.task_id, c.unit_code): c
        for c in run.session.scalars(
            select(TaskCompletion).where(TaskCompletion.phase_id == phase.id)
        )
    }
    raised = 0
    for task in tasks(run.session, phase.campaign_id):
        for unit in access.units_of(task):
            key = cause_key(Rule.PHASE_TASK_INCOMPLETE, phase.id, task.id, unit)
            work = works.get((task.id, unit))
            if key in flagged or not run.answers(unit, phase):
                continue
            if domain.work_in_time(step_times(work), phase.deadline, run.tz):
                continue
            flag = raise_phase_flag(
                run.session, task, phase, unit, run.now, run.tz, run.cells, work
            )
            raised += flag is not None
    return raised


def _supervision_sweep(run: _Sweep, phase: CampaignPhase, flagged: set[str]) -> int:
    """The lead departments' phase: each lead department of the campaign's tasks owes a
    supervision report on every secondary college by the deadline; the colleges owe
    nothing here."""
    all_colleges = colleges(run.session, phase.campaign_id)
    if not all_colleges:
        return 0
    led: dict[str, list[str]] = {}
    for task in tasks(run.session, phase.campaign_id):
        for unit in dict.fromkeys(task.lead_units):
            led.setdefault(unit, []).append(task.number)
    first = first_reports(run.session, phase.id)
    names = campaign_unit_names(run.session, phase.campaign_id)
    raised = 0
    for lead, numbers in led.items():
        key = cause_key(Rule.PHASE_TASK_INCOMPLETE, phase.id, lead)
        if key in flagged or not run.answers(lead, phase):
            continue
        missing = domain.supervision_missing(
            all_colleges, first.get(lead, {}), phase.deadline, run.tz
        )
        if missing:
            unreported = "、".join(names.get(c, c) for c in missing)
            raised += _supervision_flag(run, phase, lead, key, numbers, missing, unreported)
    return raised


def _supervision_flag(
    run: _Sweep,
    phase: CampaignPhase,
    lead: str,
    key: str,
    numbers: list[str],
    missing: list[str],
    unreported: str,
) -> bool:
    flag = raise_flag(
        run.session,
        Rule.PHASE_TASK_INCOMPLETE,
        lead,
        key,
        campaign_id=phase.campaign_id,
        cell_id=run.cells.get(lead),
        evidence={
            "phase_id": phase.id,
            "phase": phase.name,
            "party": phase.party,
            "deadline": phase.deadline.isoformat(),
            "task_number": "、".join(numbers),
            # In words, for the person reading the flag: whom it had not reported on.
            "task_title": f"对各二级学院的督查报告（截止时未覆盖：{unreported}）",
            "tasks_led": numbers,
            "missing_colleges": missing,
            "checked_at": campus_time(run.now, run.tz).isoformat(),
        },
        day=phase.deadline,
        at=run.now,
    )
    return flag is not None
