"""Use cases of the campaign's own work: task work ledgers (工作台账) and each unit's phase
work, the progress matrix, phase-task flags and supervision reports (督查报告); the
year-end assessment (年终考核) is assessment.py's. Each runs in the caller's transaction.

Who may do what:
- a responsible unit keeps its own phase work on each task it answers for, in each phase
  whose party is the units (``CampaignPhase.party``, from the campaign's data): its manager
  (role ``unit_manager``; the security office on its behalf) writes ledger entries about
  the unit for that phase (工作机构, 工作方案, 自查台账, 整改方案 …), uploads their evidence
  files and submits the work. Submitted or confirmed work is frozen for the unit until a
  lead department returns it.
- a lead department of the task (role ``lead_department`` whose unit is in the task's
  ``lead_units``) confirms submitted work or returns it with a reason; never its own
  unit's work (another lead department of the task, or the security office, decides that).
  Lead departments and the security office also write entries of their own (about the
  whole task or any answering unit, in any phase).
- the security office and the leadership group read everything; a lead department the
  tasks it leads; a unit the tasks it answers for (its own work, and the entries about it
  or the whole task).
- the progress matrix: the security office and the leadership group see every task, a
  lead department the tasks it leads.
- supervision reports: a lead department (its unit leads some task of the campaign)
  writes one per secondary college per phase; it reads its own reports, the college the
  reports about it, the security office and the leadership group all of them. In a phase
  whose party is the lead departments (督导检查), that report on every college is the lead
  department's phase work.

Phase-task flags (``Rule.PHASE_TASK_INCOMPLETE``), one per cause, after a phase deadline:
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

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.reporting import domain
from services.reporting.commands import Conflict, insert_once, raise_flag, unit_cells, unit_name
from services.reporting.domain import PhaseParty, Rule, WorkStatus
from services.reporting.flags import units_in_grid
from services.reporting.models import (
    Campaign,
    CampaignPhase,
    CampaignTask,
    CampaignUnit,
    Flag,
    LedgerFile,
    SupervisionReport,
    TaskCompletion,
    TaskCompletionStep,
    TaskLedgerEntry,
)
from shared import files
from shared.errors import DomainError, Forbidden, NotFound, check_version
from shared.principal import LEAD_DEPARTMENT, SECURITY_OFFICE, UNIT_MANAGER, Principal
from shared.timeutil import campus_time


class Invalid(DomainError):
    status = 422
    title = "Unprocessable Entity"


def invalid(name: str, reason: str, location: str = "json") -> Invalid:
    return Invalid(
        f"{name}: {reason}", invalid_params=[{"name": name, "reason": reason, "location": location}]
    )


# -- look-ups -----------------------------------------------------------------------------
def get_campaign(session: Session, campaign_id: str) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"campaign {campaign_id} does not exist")
    return campaign


def get_task(session: Session, campaign_id: str, task_id: str) -> CampaignTask:
    task = session.get(CampaignTask, task_id)
    if task is None or task.campaign_id != campaign_id:
        raise NotFound(f"task {task_id} is not part of campaign {campaign_id}")
    return task


def phase_of(session: Session, campaign_id: str, phase_id: str) -> CampaignPhase:
    """A phase named in a request body: an unknown one is a 422 naming ``phase_id``."""
    phase = session.get(CampaignPhase, phase_id)
    if phase is None or phase.campaign_id != campaign_id:
        raise invalid("phase_id", f"not a phase of campaign {campaign_id}")
    return phase


def get_phase(session: Session, campaign_id: str, phase_id: str) -> CampaignPhase:
    """A phase named in the path: an unknown one is a 404."""
    phase = session.get(CampaignPhase, phase_id)
    if phase is None or phase.campaign_id != campaign_id:
        raise NotFound(f"phase {phase_id} is not part of campaign {campaign_id}")
    return phase


def phases(session: Session, campaign_id: str) -> list[CampaignPhase]:
    return list(
        session.scalars(
            select(CampaignPhase)
            .where(CampaignPhase.campaign_id == campaign_id)
            .order_by(CampaignPhase.position)
        )
    )


def tasks(session: Session, campaign_id: str) -> list[CampaignTask]:
    return list(
        session.scalars(
            select(CampaignTask)
            .where(CampaignTask.campaign_id == campaign_id)
            .order_by(CampaignTask.position)
        )
    )


def units_of(task: CampaignTask) -> list[str]:
    return domain.task_units(task.lead_units, task.responsible_units)


def units_phase(phase: CampaignPhase) -> bool:
    """Each answering unit keeps its own work in this phase (else: the lead departments')."""
    return phase.party == PhaseParty.UNITS


# -- scope --------------------------------------------------------------------------------
def leads(principal: Principal, task: CampaignTask) -> bool:
    return LEAD_DEPARTMENT in principal.roles and principal.unit in task.lead_units


def writer_unit(principal: Principal, task: CampaignTask) -> str | None:
    """Who writes the task's ledger: None for the security office and the task's lead
    departments (entries about the whole task or any answering unit); the unit's code for
    the manager of a unit answering for the task (its own phase work only)."""
    if SECURITY_OFFICE in principal.roles or leads(principal, task):
        return None
    if UNIT_MANAGER in principal.roles and principal.unit in units_of(task):
        return principal.unit
    raise Forbidden(
        f"task {task.number} ({task.title}) is led by {', '.join(task.lead_units) or 'no unit'};"
        " only its lead departments, the security office and the managers of the units"
        " answering for it write its ledger"
    )


def task_reader_unit(principal: Principal, task: CampaignTask) -> str | None:
    """None: the caller reads the whole task; a unit code: only what concerns that unit."""
    if principal.is_global or leads(principal, task):
        return None
    if principal.unit is not None and principal.unit in units_of(task):
        return principal.unit
    raise Forbidden(f"task {task.number} ({task.title}) is outside your scope")


def require_submitter(principal: Principal, unit_code: str) -> None:
    """A unit's phase work is submitted by its manager, or the security office for it."""
    if SECURITY_OFFICE in principal.roles:
        return
    if UNIT_MANAGER in principal.roles and principal.unit == unit_code:
        return
    raise Forbidden(
        f"{unit_code}'s phase work is submitted by {unit_code}'s manager (unit_manager),"
        " or by the security office on its behalf"
    )


def require_reviewer(principal: Principal, task: CampaignTask, unit_code: str) -> None:
    """A lead department of the task confirms or returns a unit's work, never its own
    unit's (another lead department of the task, or the security office, decides it)."""
    if SECURITY_OFFICE in principal.roles:
        return
    if leads(principal, task):
        if principal.unit == unit_code:
            raise Forbidden(
                f"{unit_code} does not confirm or return its own work on task {task.number};"
                " another lead department of the task or the security office decides it"
            )
        return
    raise Forbidden(
        f"work on task {task.number} is confirmed or returned by its lead departments"
        f" ({', '.join(task.lead_units) or 'none'}) or the security office"
    )


# -- a unit's phase work: look-ups --------------------------------------------------------
def find_work(
    session: Session, task: CampaignTask, phase: CampaignPhase, unit_code: str, lock: bool = False
) -> TaskCompletion | None:
    stmt = select(TaskCompletion).where(
        TaskCompletion.task_id == task.id,
        TaskCompletion.phase_id == phase.id,
        TaskCompletion.unit_code == unit_code,
    )
    return session.scalar(stmt.with_for_update() if lock else stmt)


def work_status(work: TaskCompletion | None) -> str:
    return work.status if work is not None else WorkStatus.NOT_SUBMITTED.value


def step_times(work: TaskCompletion | None) -> list[tuple[str, datetime]]:
    return [(s.step, s.at) for s in work.steps] if work is not None else []


def require_open(
    session: Session, task: CampaignTask, phase: CampaignPhase, unit_code: str
) -> None:
    """The unit's work in the phase may still change: not submitted, or returned."""
    status = work_status(find_work(session, task, phase, unit_code))
    if status in domain.STANDING:
        label = domain.WORK_STATUS_LABELS[WorkStatus(status)]
        raise Conflict(
            f"{unit_code}'s work on task {task.number} in {phase.name} is {status} ({label});"
            " it changes again only once a lead department returns it"
        )


# -- ledger entries -----------------------------------------------------------------------
def add_ledger_entry(
    session: Session,
    principal: Principal,
    campaign_id: str,
    task_id: str,
    data: dict[str, Any],
    now: datetime,
) -> TaskLedgerEntry:
    """An entry of the task's ledger. A unit's manager writes its own phase work: about
    its unit (``unit_code`` defaults to it), in a units' phase, while the work is open."""
    task = get_task(session, campaign_id, task_id)
    own = writer_unit(principal, task)
    phase = phase_of(session, campaign_id, data["phase_id"]) if data.get("phase_id") else None
    unit = data.get("unit_code")
    if own is not None:
        if unit not in (None, own):
            raise Forbidden(f"{own} keeps its own phase work, not {unit}'s")
        unit = own
        if phase is None:
            raise invalid("phase_id", "a unit's ledger entry is part of its work in a phase")
        if not units_phase(phase):
            raise invalid(
                "phase_id",
                f"{phase.name} is the lead departments' phase (督查报告), not a unit's own work",
            )
        require_open(session, task, phase, unit)
    elif unit and unit not in units_of(task):
        raise invalid("unit_code", f"{unit} does not answer for task {task.number}")
    entry = TaskLedgerEntry(
        campaign_id=campaign_id,
        task_id=task.id,
        phase_id=phase.id if phase else None,
        kind=data["kind"],
        unit_code=unit,
        content=data["content"],
        url=data.get("url"),
        reference=data.get("reference"),
        author_unit=principal.unit,
        recorded_by=principal.sub,
        recorded_at=now,
        files=[],  # none yet (and the response lists them after the session is gone)
    )
    session.add(entry)
    session.flush()
    return entry


def list_ledger_entries(
    session: Session,
    principal: Principal,
    campaign_id: str,
    task_id: str,
    query: dict[str, Any],
) -> list[TaskLedgerEntry]:
    task = get_task(session, campaign_id, task_id)
    only = task_reader_unit(principal, task)
    stmt = select(TaskLedgerEntry).where(TaskLedgerEntry.task_id == task.id)
    if only:
        stmt = stmt.where((TaskLedgerEntry.unit_code == only) | TaskLedgerEntry.unit_code.is_(None))
    for key in ("kind", "phase_id", "unit_code"):
        if query.get(key):
            stmt = stmt.where(getattr(TaskLedgerEntry, key) == query[key])
    return list(session.scalars(stmt.order_by(TaskLedgerEntry.recorded_at, TaskLedgerEntry.id)))


# -- ledger evidence files ----------------------------------------------------------------
def get_ledger_entry(
    session: Session, campaign_id: str, task: CampaignTask, entry_id: str
) -> TaskLedgerEntry:
    entry = session.get(TaskLedgerEntry, entry_id)
    if entry is None or entry.task_id != task.id or entry.campaign_id != campaign_id:
        raise NotFound(f"ledger entry {entry_id} is not part of task {task.number}")
    return entry


def add_ledger_file(
    session: Session,
    principal: Principal,
    campaign_id: str,
    task_id: str,
    entry_id: str,
    *,
    upload: files.Upload,
    now: datetime,
) -> LedgerFile:
    """A file (photo, PDF) of the entry's evidence, by whoever may write the task's ledger
    (``writer_unit``): a unit's manager only on an entry of its own open phase work.
    Checked (413/415) before anything is written; stored by content hash under
    ``files_dir`` (shared.files)."""
    task = get_task(session, campaign_id, task_id)
    own = writer_unit(principal, task)
    entry = get_ledger_entry(session, campaign_id, task, entry_id)
    if own is not None:
        phase = session.get(CampaignPhase, entry.phase_id) if entry.phase_id else None
        if entry.unit_code != own or phase is None or not units_phase(phase):
            raise Forbidden(f"ledger entry {entry_id} is not part of {own}'s own phase work")
        require_open(session, task, phase, own)
    stored = files.accept(upload)
    row = LedgerFile(
        entry_id=entry.id, content_type=stored.media_type, **stored.columns(principal.sub, now)
    )
    session.add(row)
    session.flush()
    return row


def get_ledger_file(
    session: Session,
    principal: Principal,
    campaign_id: str,
    task_id: str,
    entry_id: str,
    file_id: str,
) -> LedgerFile:
    """A file for those who may read its entry: the whole task's readers, or a unit the
    entry concerns (or that reads entries about the whole task)."""
    task = get_task(session, campaign_id, task_id)
    only = task_reader_unit(principal, task)
    entry = get_ledger_entry(session, campaign_id, task, entry_id)
    if only is not None and entry.unit_code not in (None, only):
        raise Forbidden(f"ledger entry {entry_id} concerns {entry.unit_code}, not {only}")
    row = session.get(LedgerFile, file_id)
    if row is None or row.entry_id != entry.id:
        raise NotFound(f"file {file_id} is not part of ledger entry {entry_id}")
    return row


# -- a unit's phase work: submit, confirm, return -----------------------------------------
def _phase_flag(
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
    at_deadline = domain.work_status_at(step_times(work), domain.end_of_day(phase.deadline, tz))
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
            end = domain.end_of_day(phase.deadline, tz)
            last = [s for s in work.steps if s.step == WorkStatus.RETURNED and s.at < end][-1]
            evidence["returned_at"] = campus_time(last.at, tz).isoformat()
            evidence["return_reason"] = last.text
        if work.status in domain.STANDING:
            evidence["submitted_at"] = campus_time(work.submitted_at, tz).isoformat()
    return raise_flag(
        session,
        Rule.PHASE_TASK_INCOMPLETE,
        unit_code,
        domain.cause_key(Rule.PHASE_TASK_INCOMPLETE, phase.id, task.id, unit_code),
        campaign_id=task.campaign_id,
        cell_id=cells.get(unit_code),
        evidence=evidence,
        day=phase.deadline,
        at=now,
    )


def _work_cell(
    session: Session, campaign_id: str, task_id: str, phase_id: str, unit_code: str
) -> tuple[CampaignTask, CampaignPhase]:
    task = get_task(session, campaign_id, task_id)
    phase = get_phase(session, campaign_id, phase_id)
    if unit_code not in units_of(task):
        raise NotFound(f"{unit_code} does not answer for task {task.number}")
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
    require_submitter(principal, unit_code)
    if not units_phase(phase):
        raise invalid(
            "phase_id",
            f"{phase.name} is the lead departments' phase: their work is a supervision report"
            " on each secondary college, not a unit's submission",
            "path",
        )
    work = find_work(session, task, phase, unit_code, lock=True)
    refused = domain.work_step_refused(work_status(work), WorkStatus.SUBMITTED)
    if refused:
        raise Conflict(f"{unit_code}'s work on task {task.number} in {phase.name}: {refused}")
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
            f"{unit_code} has no ledger entry on task {task.number} in {phase.name} yet:"
            " record the work (工作机构、工作方案、自查台账、整改方案 …) before submitting it",
            "path",
        )
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
        insert_once(
            session, work, f"{unit_code}'s work on task {task.number} in {phase.name} exists"
        )
    work.submitted_at = now
    work.submitted_by = principal.sub
    work.note = data.get("note")
    _step(work, WorkStatus.SUBMITTED, principal, data.get("note"), now)
    work.late = not domain.work_in_time(step_times(work), phase.deadline, tz)
    session.flush()
    if work.late:
        _phase_flag(session, task, phase, unit_code, now, tz, unit_cells(session), work)
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
    require_reviewer(principal, task, unit_code)
    text = data.get("reason") if step == WorkStatus.RETURNED else data.get("note")
    if step == WorkStatus.RETURNED and not (text or "").strip():
        raise invalid("reason", "returned work needs the reason the unit is to act on")
    work = find_work(session, task, phase, unit_code, lock=True)
    refused = domain.work_step_refused(work_status(work), step)
    if work is None or refused:
        raise Conflict(f"{unit_code}'s work on task {task.number} in {phase.name}: {refused}")
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
    only = task_reader_unit(principal, task)
    stmt = select(TaskCompletion).where(TaskCompletion.task_id == task.id)
    if only:
        stmt = stmt.where(TaskCompletion.unit_code == only)
    for key in ("phase_id", "unit_code", "status"):
        if query.get(key):
            stmt = stmt.where(getattr(TaskCompletion, key) == query[key])
    return list(
        session.scalars(stmt.order_by(TaskCompletion.submitted_at, TaskCompletion.unit_code))
    )


# -- progress matrix ----------------------------------------------------------------------
def _colleges(session: Session, campaign_id: str) -> list[str]:
    return list(
        session.scalars(
            select(CampaignUnit.unit_code)
            .where(CampaignUnit.campaign_id == campaign_id, CampaignUnit.kind == "college")
            .order_by(CampaignUnit.unit_code)
        )
    )


def _first_reports(session: Session, phase_id: str) -> dict[str, dict[str, datetime]]:
    """Lead department → college → when its first report on it in the phase was written."""
    first: dict[str, dict[str, datetime]] = {}
    for author, college, at in session.execute(
        select(
            SupervisionReport.author_unit,
            SupervisionReport.unit_code,
            func.min(SupervisionReport.created_at),
        )
        .where(SupervisionReport.phase_id == phase_id)
        .group_by(SupervisionReport.author_unit, SupervisionReport.unit_code)
    ):
        first.setdefault(author, {})[college] = at
    return first


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


def progress(
    session: Session, principal: Principal, campaign_id: str, now: datetime, tz: str
) -> dict:
    """Tasks × phases × the party of each phase: each answering unit's work (未提交,
    已提交, 已确认, 已退回; late; overdue), or in the lead departments' phase each lead
    department's reports on the secondary colleges."""
    campaign = get_campaign(session, campaign_id)
    all_tasks = tasks(session, campaign_id)
    if not principal.is_global:
        if LEAD_DEPARTMENT not in principal.roles:
            raise Forbidden("the progress matrix is for the security office and lead departments")
        all_tasks = [t for t in all_tasks if leads(principal, t)]
    campaign_phases = phases(session, campaign_id)
    works = {
        (c.task_id, c.phase_id, c.unit_code): c
        for c in session.scalars(
            select(TaskCompletion).where(TaskCompletion.campaign_id == campaign_id)
        )
    }
    names = dict(
        session.execute(
            select(CampaignUnit.unit_code, CampaignUnit.name).where(
                CampaignUnit.campaign_id == campaign_id
            )
        ).all()
    )
    colleges = _colleges(session, campaign_id)
    reports = {p.id: _first_reports(session, p.id) for p in campaign_phases if not units_phase(p)}
    summary: Counter[str] = Counter({s.value: 0 for s in WorkStatus})
    rows = []
    for task in all_tasks:
        task_phases = []
        for phase in campaign_phases:
            passed = domain.due_passed(now, phase.deadline, tz)
            if units_phase(phase):
                cells = []
                for unit in units_of(task):
                    work = works.get((task.id, phase.id, unit))
                    cells.append(
                        _cell(unit, names.get(unit, unit), work_status(work), passed, work)
                    )
            else:
                cells = [
                    _supervision_cell(
                        unit,
                        names.get(unit, unit),
                        colleges,
                        reports[phase.id].get(unit, {}),
                        phase,
                        passed,
                        tz,
                    )
                    for unit in dict.fromkeys(task.lead_units)
                ]
            by_status = Counter({s.value: 0 for s in WorkStatus})
            by_status.update(cell["status"] for cell in cells)
            summary.update(by_status)
            summary["cells"] += len(cells)
            summary["late"] += sum(bool(cell["late"]) for cell in cells)
            summary["overdue"] += sum(cell["overdue"] for cell in cells)
            task_phases.append(
                {
                    "phase_id": phase.id,
                    "phase_code": phase.code,
                    "party": phase.party,
                    "deadline": phase.deadline,
                    "deadline_passed": passed,
                    "by_status": dict(by_status),
                    "total": len(cells),
                    "units": cells,
                }
            )
        rows.append(
            {
                "task_id": task.id,
                "number": task.number,
                "title": task.title,
                "lead_units": task.lead_units,
                "phases": task_phases,
            }
        )
    keys = ["cells", *(s.value for s in WorkStatus), "late", "overdue"]
    return {
        "campaign_id": campaign.id,
        "campaign_name": campaign.name,
        "generated_at": now,
        "phases": campaign_phases,
        "tasks": rows,
        "summary": {k: summary[k] for k in keys},
    }


# -- phase-task flags (the periodic sweep) ------------------------------------------------
def phase_sweep(session: Session, now: datetime, tz: str) -> dict[str, int]:
    """After each phase deadline, the phase's party answers for it: in a units' phase one
    flag per task and answering unit whose work did not stand submitted at the deadline;
    in the lead departments' phase one flag per lead department without a report on
    every secondary college by then. Only units the grid knows are flagged (as in
    ``commands.sweep``). Idempotent by the cause key."""
    raised = 0
    cells: dict[str, str] | None = None
    in_grid = units_in_grid(session)
    due = [
        p
        for p in session.scalars(select(CampaignPhase).order_by(CampaignPhase.deadline))
        if domain.due_passed(now, p.deadline, tz)
    ]
    for phase in due:
        prefix = domain.cause_key(Rule.PHASE_TASK_INCOMPLETE, phase.id) + ":"
        flagged = set(
            session.scalars(
                select(Flag.cause_key).where(Flag.cause_key.startswith(prefix, autoescape=True))
            )
        )
        if not units_phase(phase):
            if cells is None:
                cells = unit_cells(session)
            raised += _supervision_sweep(session, phase, now, tz, flagged, cells, in_grid)
            continue
        works = {
            (c.task_id, c.unit_code): c
            for c in session.scalars(
                select(TaskCompletion).where(TaskCompletion.phase_id == phase.id)
            )
        }
        for task in tasks(session, phase.campaign_id):
            for unit in units_of(task):
                key = domain.cause_key(Rule.PHASE_TASK_INCOMPLETE, phase.id, task.id, unit)
                work = works.get((task.id, unit))
                if key in flagged or unit not in in_grid:
                    continue
                if not domain.answers_for(in_grid[unit], phase.deadline, tz):
                    continue
                if domain.work_in_time(step_times(work), phase.deadline, tz):
                    continue
                if cells is None:
                    cells = unit_cells(session)
                raised += _phase_flag(session, task, phase, unit, now, tz, cells, work) is not None
    return {"phase_flags": raised}


def _supervision_sweep(
    session: Session,
    phase: CampaignPhase,
    now: datetime,
    tz: str,
    flagged: set[str],
    cells: dict[str, str],
    in_grid: dict[str, datetime | None],
) -> int:
    """The lead departments' phase: each lead department of the campaign's tasks owes a
    supervision report on every secondary college by the deadline; the colleges owe
    nothing here."""
    colleges = _colleges(session, phase.campaign_id)
    if not colleges:
        return 0
    led: dict[str, list[str]] = {}
    for task in tasks(session, phase.campaign_id):
        for unit in dict.fromkeys(task.lead_units):
            led.setdefault(unit, []).append(task.number)
    first = _first_reports(session, phase.id)
    names = dict(
        session.execute(
            select(CampaignUnit.unit_code, CampaignUnit.name).where(
                CampaignUnit.campaign_id == phase.campaign_id
            )
        ).all()
    )
    raised = 0
    for lead, numbers in led.items():
        key = domain.cause_key(Rule.PHASE_TASK_INCOMPLETE, phase.id, lead)
        if key in flagged or lead not in in_grid:
            continue
        if not domain.answers_for(in_grid[lead], phase.deadline, tz):
            continue
        missing = domain.supervision_missing(colleges, first.get(lead, {}), phase.deadline, tz)
        if not missing:
            continue
        unreported = "、".join(names.get(c, c) for c in missing)
        flag = raise_flag(
            session,
            Rule.PHASE_TASK_INCOMPLETE,
            lead,
            key,
            campaign_id=phase.campaign_id,
            cell_id=cells.get(lead),
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
                "checked_at": campus_time(now, tz).isoformat(),
            },
            day=phase.deadline,
            at=now,
        )
        raised += flag is not None
    return raised


# -- supervision reports ------------------------------------------------------------------
def _require_supervisor(session: Session, principal: Principal, campaign_id: str) -> str:
    if LEAD_DEPARTMENT not in principal.roles or principal.unit is None:
        raise Forbidden("supervision reports are written by lead departments")
    if not any(principal.unit in t.lead_units for t in tasks(session, campaign_id)):
        raise Forbidden(f"{principal.unit} leads no task of campaign {campaign_id}")
    return principal.unit


def create_report(
    session: Session,
    principal: Principal,
    campaign_id: str,
    data: dict[str, Any],
    now: datetime,
) -> SupervisionReport:
    """One report per campaign, phase, lead department and secondary college."""
    get_campaign(session, campaign_id)
    author = _require_supervisor(session, principal, campaign_id)
    phase = phase_of(session, campaign_id, data["phase_id"])
    college = session.get(CampaignUnit, (campaign_id, data["unit_code"]))
    if college is None or college.kind != "college":
        raise invalid("unit_code", "not a secondary college (二级学院) of this campaign")
    message = f"{author} already wrote its report on {college.unit_code} for {phase.name}"
    if session.scalar(
        select(SupervisionReport.id).where(
            SupervisionReport.campaign_id == campaign_id,
            SupervisionReport.phase_id == phase.id,
            SupervisionReport.author_unit == author,
            SupervisionReport.unit_code == college.unit_code,
        )
    ):
        raise Conflict(f"{message}; replace it with PUT")
    report = SupervisionReport(
        campaign_id=campaign_id,
        phase_id=phase.id,
        author_unit=author,
        unit_code=college.unit_code,
        findings=data["findings"],
        score=data["score"],
        version=1,
        created_by=principal.sub,
        created_at=now,
    )
    insert_once(session, report, message)
    return report


def can_read_report(principal: Principal, report: SupervisionReport) -> bool:
    return principal.is_global or principal.unit in (report.author_unit, report.unit_code)


def get_report(
    session: Session, principal: Principal, campaign_id: str, report_id: str
) -> SupervisionReport:
    report = session.get(SupervisionReport, report_id)
    if report is None or report.campaign_id != campaign_id:
        raise NotFound(f"supervision report {report_id} is not part of campaign {campaign_id}")
    if not can_read_report(principal, report):
        raise Forbidden("this supervision report is outside your scope")
    return report


def replace_report(
    session: Session,
    principal: Principal,
    campaign_id: str,
    report_id: str,
    data: dict[str, Any],
    expected_version: int | None,
    now: datetime,
    tz: str,
) -> SupervisionReport:
    """The author replaces findings and score until the phase deadline + 1 month."""
    report = get_report(session, principal, campaign_id, report_id)
    if LEAD_DEPARTMENT not in principal.roles or principal.unit != report.author_unit:
        raise Forbidden(f"only its author {report.author_unit} may change this report")
    check_version(report, expected_version, "the report")
    phase = session.get(CampaignPhase, report.phase_id)
    assert phase is not None
    if not domain.supervision_editable(now, phase.deadline, tz):
        raise Conflict(
            f"the report is locked since {domain.supervision_edit_deadline(phase.deadline)} "
            f"(phase {phase.name} ended {phase.deadline}, + {domain.SUPERVISION_EDIT_MONTHS} month)"
        )
    report.findings = data["findings"]
    report.score = data["score"]
    report.version += 1
    report.updated_by = principal.sub
    report.updated_at = now
    session.flush()
    return report


def list_reports(
    session: Session, principal: Principal, campaign_id: str, query: dict[str, Any]
) -> list[SupervisionReport]:
    get_campaign(session, campaign_id)
    stmt = select(SupervisionReport).where(SupervisionReport.campaign_id == campaign_id)
    if not principal.is_global:
        if principal.unit is None:
            return []
        stmt = stmt.where(
            (SupervisionReport.author_unit == principal.unit)
            | (SupervisionReport.unit_code == principal.unit)
        )
    for key in ("phase_id", "unit_code", "author_unit"):
        if query.get(key):
            stmt = stmt.where(getattr(SupervisionReport, key) == query[key])
    order = (SupervisionReport.unit_code, SupervisionReport.author_unit, SupervisionReport.id)
    return list(session.scalars(stmt.order_by(*order)))


def report_view(session: Session, report: SupervisionReport) -> dict:
    phase = session.get(CampaignPhase, report.phase_id)
    assert phase is not None
    return {
        "id": report.id,
        "campaign_id": report.campaign_id,
        "phase_id": report.phase_id,
        "phase_name": phase.name,
        "author_unit": report.author_unit,
        "unit_code": report.unit_code,
        "unit_name": unit_name(session, report.campaign_id, report.unit_code),
        "findings": report.findings,
        "score": report.score,
        "version": report.version,
        "created_by": report.created_by,
        "created_at": report.created_at,
        "updated_by": report.updated_by,
        "updated_at": report.updated_at,
        "editable_until": domain.supervision_edit_deadline(phase.deadline),
    }
