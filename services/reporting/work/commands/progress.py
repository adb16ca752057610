"""The progress matrix: tasks × phases × the party of each phase — each answering unit's
work (未提交, 已提交, 已确认, 已退回; late; overdue), or in the lead departments' phase each
lead department's reports on the secondary colleges."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.commands import campaign_unit_names, get_campaign
from services.reporting.domain import due_passed
from services.reporting.models import CampaignPhase, CampaignTask, TaskCompletion
from services.reporting.work import access, domain
from services.reporting.work.commands.lookups import (
    colleges,
    first_reports,
    phases,
    tasks,
    units_phase,
    work_status,
)
from services.reporting.work.domain import WorkStatus
from shared.principal import Principal


@dataclass(frozen=True)
class _Facts:
    """Everything the matrix is computed from, read once."""

    works: dict[tuple[str, str, str], TaskCompletion]
    names: dict[str, str]
    colleges: list[str]
    reports: dict[str, dict[str, dict[str, datetime]]]  # phase → lead → college → first
    now: datetime
    tz: str


def _cell(
    unit: str, name: str, status: str, passed: bool, work: TaskCompletion | None = None
) -> dict[str, Any]:
    return {
        "unit_code": unit,
        "unit_name": name,
        "status": status,
        "status_label": domain.WORK_STATUS_LABELS[WorkStatus(status)],
        "submitted_at": work.submitted_at if work else None,
        "submitted_by": work.submitted_by if work else None,
        "decided_at": work.decided_at if work else None,
        "decided_by": work.decided_by if work else None,
        "return_reason": work.return_reason if work else None,
        "late": work.late if work else None,
        "overdue": passed and status not in domain.STANDING,
        "supervised": None,
        "colleges": None,
    }


def _supervision_cell(
    unit: str,
    name: str,
    colleges: list[str],
    first: dict[str, datetime],
    phase: CampaignPhase,
    passed: bool,
    tz: str,
) -> dict[str, Any]:
    """A lead department's work in its own phase: a report on every secondary college."""
    covered = [first[c] for c in colleges if c in first]
    done = len(covered) == len(colleges)
    status = WorkStatus.SUBMITTED if done else WorkStatus.NOT_SUBMITTED
    cell = _cell(unit, name, status.value, passed)
    cell["supervised"], cell["colleges"] = len(covered), len(colleges)
    if done:
        cell["submitted_at"] = max(covered, default=None)
        cell["late"] = bool(domain.supervision_missing(colleges, first, phase.deadline, tz))
    return cell


def _cells(task: CampaignTask, phase: CampaignPhase, passed: bool, facts: _Facts) -> list[dict]:
    """The phase's party on the task: its answering units, or its lead departments."""
    if units_phase(phase):
        cells = []
        for unit in access.units_of(task):
            work = facts.works.get((task.id, phase.id, unit))
            name = facts.names.get(unit, unit)
            cells.append(_cell(unit, name, work_status(work), passed, work))
        return cells
    return [
        _supervision_cell(
            unit,
            facts.names.get(unit, unit),
            facts.colleges,
            facts.reports[phase.id].get(unit, {}),
            phase,
            passed,
            facts.tz,
        )
        for unit in dict.fromkeys(task.lead_units)
    ]


def _phase_row(
    task: CampaignTask, phase: CampaignPhase, facts: _Facts, summary: Counter[str]
) -> dict[str, Any]:
    """One phase of a task's row, its counts added to ``summary``."""
    passed = due_passed(facts.now, phase.deadline, facts.tz)
    cells = _cells(task, phase, passed, facts)
    by_status = Counter({s.value: 0 for s in WorkStatus})
    by_status.update(cell["status"] for cell in cells)
    summary.update(by_status)
    summary["cells"] += len(cells)
    summary["late"] += sum(bool(cell["late"]) for cell in cells)
    summary["overdue"] += sum(cell["overdue"] for cell in cells)
    return {
        "phase_id": phase.id,
        "phase_code": phase.code,
        "party": phase.party,
        "deadline": phase.deadline,
        "deadline_passed": passed,
        "by_status": dict(by_status),
        "total": len(cells),
        "units": cells,
    }


def _facts(
    session: Session, campaign_id: str, campaign_phases: list[CampaignPhase], now: datetime, tz: str
) -> _Facts:
    works = session.scalars(select(TaskCompletion).where(TaskCompletion.campaign_id == campaign_id))
    return _Facts(
        works={(c.task_id, c.phase_id, c.unit_code): c for c in works},
        names=campaign_unit_names(session, campaign_id),
        colleges=colleges(session, campaign_id),
        reports={p.id: first_reports(session, p.id) for p in campaign_phases if not units_phase(p)},
        now=now,
        tz=tz,
    )


def progress(
    session: Session, principal: Principal, campaign_id: str, now: datetime, tz: str
) -> dict:
    """Tasks × phases × the party of each phase: each answering unit's work (未提交,
    已提交, 已确认, 已退回; late; overdue), or in the lead departments' phase each lead
    department's reports on the secondary colleges."""
    campaign = get_campaign(session, campaign_id)
    shown = access.progress_tasks(principal, tasks(session, campaign_id))
    campaign_phases = phases(session, campaign_id)
    facts = _facts(session, campaign_id, campaign_phases, now, tz)
    summary: Counter[str] = Counter({s.value: 0 for s in WorkStatus})
    rows = [
        {
            "task_id": task.id,
            "number": task.number,
            "title": task.title,
            "lead_units": task.lead_units,
            "phases": [_phase_row(task, phase, facts, summary) for phase in campaign_phases],
        }
        for task in shown
    ]
    keys = ["cells", *(s.value for s in WorkStatus), "late", "overdue"]
    return {
        "campaign_id": campaign.id,
        "campaign_name": campaign.name,
        "generated_at": now,
        "phases": campaign_phases,
        "tasks": rows,
        "summary": {k: summary[k] for k in keys},
    }
