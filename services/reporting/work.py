"""Use cases of the campaign's own work: task work ledgers (工作台账) and per-phase
completions, the progress matrix, phase-task flags, supervision reports (督查报告) and the
year-end assessment (年终考核). Each runs in the caller's transaction.

Who may do what:
- a focus task's ledger and completions are written by its lead departments (role
  ``lead_department`` whose unit is in the task's ``lead_units``) and by the security
  office; the security office and the leadership group read everything; a unit reads the
  tasks it answers for (its own completions, and the entries about it or the whole task).
- the progress matrix: the security office and the leadership group see every task, a
  lead department the tasks it leads.
- supervision reports: a lead department (its unit leads some task of the campaign)
  writes one per secondary college per phase; it reads its own reports, the college the
  reports about it, the security office and the leadership group all of them.
- the assessment: everything for the security office and the leadership group, a unit
  its own row.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.reporting import domain
from services.reporting.commands import Conflict, insert_once, raise_flag, unit_cells, unit_name
from services.reporting.domain import Rule
from services.reporting.models import (
    Campaign,
    CampaignPhase,
    CampaignTask,
    CampaignUnit,
    Flag,
    LedgerFile,
    SupervisionReport,
    TaskCompletion,
    TaskLedgerEntry,
)
from shared import files
from shared.auth import LEAD_DEPARTMENT, SECURITY_OFFICE, Principal
from shared.errors import DomainError, Forbidden, NotFound, PreconditionFailed
from shared.timeutil import campus_time
from shared.xlsx import (
    append_row,
    set_column_widths,
    style_header_row,
    workbook_bytes,
    write_title,
)


class Invalid(DomainError):
    status = 422
    title = "Unprocessable Entity"


def invalid(name: str, reason: str) -> Invalid:
    return Invalid(
        f"{name}: {reason}", invalid_params=[{"name": name, "reason": reason, "location": "json"}]
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


# -- scope --------------------------------------------------------------------------------
def leads(principal: Principal, task: CampaignTask) -> bool:
    return LEAD_DEPARTMENT in principal.roles and principal.unit in task.lead_units


def require_task_writer(principal: Principal, task: CampaignTask) -> None:
    if SECURITY_OFFICE in principal.roles or leads(principal, task):
        return
    raise Forbidden(
        f"task {task.number} ({task.title}) is led by {', '.join(task.lead_units) or 'no unit'};"
        " only its lead departments and the security office write its ledger"
    )


def task_reader_unit(principal: Principal, task: CampaignTask) -> str | None:
    """None: the caller reads the whole task; a unit code: only what concerns that unit."""
    if principal.is_global or leads(principal, task):
        return None
    if principal.unit is not None and principal.unit in units_of(task):
        return principal.unit
    raise Forbidden(f"task {task.number} ({task.title}) is outside your scope")


# -- ledger entries -----------------------------------------------------------------------
def add_ledger_entry(
    session: Session,
    principal: Principal,
    campaign_id: str,
    task_id: str,
    data: dict[str, Any],
    now: datetime,
) -> TaskLedgerEntry:
    task = get_task(session, campaign_id, task_id)
    require_task_writer(principal, task)
    if data.get("phase_id"):
        phase_of(session, campaign_id, data["phase_id"])
    unit = data.get("unit_code")
    if unit and unit not in units_of(task):
        raise invalid("unit_code", f"{unit} does not answer for task {task.number}")
    entry = TaskLedgerEntry(
        campaign_id=campaign_id,
        task_id=task.id,
        phase_id=data.get("phase_id"),
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
    (``require_task_writer``). Checked (413/415) before anything is written; stored by
    content hash under ``files_dir`` (shared.files)."""
    task = get_task(session, campaign_id, task_id)
    require_task_writer(principal, task)
    entry = get_ledger_entry(session, campaign_id, task, entry_id)
    stored = files.accept(upload)
    row = LedgerFile(
        entry_id=entry.id,
        sha256=stored.sha256,
        filename=stored.filename,
        content_type=stored.media_type,
        size=stored.size,
        uploaded_by=principal.sub,
        uploaded_at=now,
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


# -- completions --------------------------------------------------------------------------
def _phase_flag(
    session: Session,
    task: CampaignTask,
    phase: CampaignPhase,
    unit_code: str,
    now: datetime,
    tz: str,
    cells: dict[str, str],
    completion: TaskCompletion | None = None,
) -> Flag | None:
    evidence = {
        "phase_id": phase.id,
        "phase": phase.name,
        "deadline": phase.deadline.isoformat(),
        "task_id": task.id,
        "task_number": task.number,
        "task_title": task.title,
        "checked_at": campus_time(now, tz).isoformat(),
    }
    if completion is not None:
        evidence |= {
            "completion_id": completion.id,
            "completed_at": campus_time(completion.completed_at, tz).isoformat(),
        }
    return raise_flag(
        session,
        Rule.PHASE_TASK_INCOMPLETE,
        unit_code,
        domain.cause_key(Rule.PHASE_TASK_INCOMPLETE, phase.id, task.id, unit_code),
        campaign_id=task.campaign_id,
        cell_id=cells.get(unit_code),
        evidence=evidence,
        day=phase.deadline,
    )


def complete(
    session: Session,
    principal: Principal,
    campaign_id: str,
    task_id: str,
    data: dict[str, Any],
    now: datetime,
    tz: str,
) -> TaskCompletion:
    """Mark the task done for one phase and unit, once. Done after the phase deadline
    counts as not done in time: the phase-task flag is raised (once per cause)."""
    task = get_task(session, campaign_id, task_id)
    require_task_writer(principal, task)
    phase = phase_of(session, campaign_id, data["phase_id"])
    unit = data["unit_code"]
    if unit not in units_of(task):
        raise invalid("unit_code", f"{unit} does not answer for task {task.number}")
    existing = session.scalar(
        select(TaskCompletion).where(
            TaskCompletion.task_id == task.id,
            TaskCompletion.phase_id == phase.id,
            TaskCompletion.unit_code == unit,
        )
    )
    message = f"task {task.number} is already completed for {unit} in phase {phase.name}"
    if existing is not None:
        raise Conflict(f"{message} (at {existing.completed_at.isoformat()})")
    completion = TaskCompletion(
        campaign_id=campaign_id,
        task_id=task.id,
        phase_id=phase.id,
        unit_code=unit,
        completed_at=now,
        completed_by=principal.sub,
        late=domain.is_late(now, phase.deadline, tz),
        note=data.get("note"),
    )
    insert_once(session, completion, message)
    if completion.late:
        _phase_flag(session, task, phase, unit, now, tz, unit_cells(session), completion)
    return completion


def list_completions(
    session: Session,
    principal: Principal,
    campaign_id: str,
    task_id: str,
    query: dict[str, Any],
) -> list[TaskCompletion]:
    task = get_task(session, campaign_id, task_id)
    only = task_reader_unit(principal, task)
    stmt = select(TaskCompletion).where(TaskCompletion.task_id == task.id)
    if only:
        stmt = stmt.where(TaskCompletion.unit_code == only)
    for key in ("phase_id", "unit_code"):
        if query.get(key):
            stmt = stmt.where(getattr(TaskCompletion, key) == query[key])
    return list(
        session.scalars(stmt.order_by(TaskCompletion.completed_at, TaskCompletion.unit_code))
    )


# -- progress matrix ----------------------------------------------------------------------
def progress(
    session: Session, principal: Principal, campaign_id: str, now: datetime, tz: str
) -> dict:
    """Tasks × phases × units: done or not, when, by whom, in time or late."""
    campaign = get_campaign(session, campaign_id)
    all_tasks = tasks(session, campaign_id)
    if not principal.is_global:
        if LEAD_DEPARTMENT not in principal.roles:
            raise Forbidden("the progress matrix is for the security office and lead departments")
        all_tasks = [t for t in all_tasks if leads(principal, t)]
    campaign_phases = phases(session, campaign_id)
    done = {
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
    summary: Counter[str] = Counter()
    rows = []
    for task in all_tasks:
        units = units_of(task)
        task_phases = []
        for phase in campaign_phases:
            passed = domain.due_passed(now, phase.deadline, tz)
            cells = []
            for unit in units:
                c = done.get((task.id, phase.id, unit))
                cells.append(
                    {
                        "unit_code": unit,
                        "unit_name": names.get(unit, unit),
                        "completed": c is not None,
                        "completed_at": c.completed_at if c else None,
                        "completed_by": c.completed_by if c else None,
                        "late": c.late if c else None,
                        "overdue": c is None and passed,
                    }
                )
            completed = sum(cell["completed"] for cell in cells)
            summary["cells"] += len(cells)
            summary["completed"] += completed
            summary["late"] += sum(bool(cell["late"]) for cell in cells)
            summary["overdue"] += sum(cell["overdue"] for cell in cells)
            task_phases.append(
                {
                    "phase_id": phase.id,
                    "phase_code": phase.code,
                    "deadline": phase.deadline,
                    "deadline_passed": passed,
                    "completed": completed,
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
    return {
        "campaign_id": campaign.id,
        "campaign_name": campaign.name,
        "generated_at": now,
        "phases": campaign_phases,
        "tasks": rows,
        "summary": {k: summary[k] for k in ("cells", "completed", "late", "overdue")},
    }


# -- phase-task flags (the periodic sweep) ------------------------------------------------
def phase_sweep(session: Session, now: datetime, tz: str) -> dict[str, int]:
    """After each phase deadline, one flag per task and answering unit not completed by
    the deadline (no completion, or a late one). Idempotent by the cause key."""
    raised = 0
    cells: dict[str, str] | None = None
    due = [
        p
        for p in session.scalars(select(CampaignPhase).order_by(CampaignPhase.deadline))
        if domain.due_passed(now, p.deadline, tz)
    ]
    for phase in due:
        in_time = {
            (task_id, unit)
            for task_id, unit in session.execute(
                select(TaskCompletion.task_id, TaskCompletion.unit_code).where(
                    TaskCompletion.phase_id == phase.id, TaskCompletion.late.is_(False)
                )
            )
        }
        prefix = domain.cause_key(Rule.PHASE_TASK_INCOMPLETE, phase.id) + ":"
        flagged = set(
            session.scalars(
                select(Flag.cause_key).where(Flag.cause_key.startswith(prefix, autoescape=True))
            )
        )
        for task in tasks(session, phase.campaign_id):
            for unit in units_of(task):
                key = domain.cause_key(Rule.PHASE_TASK_INCOMPLETE, phase.id, task.id, unit)
                if (task.id, unit) in in_time or key in flagged:
                    continue
                if cells is None:
                    cells = unit_cells(session)
                raised += _phase_flag(session, task, phase, unit, now, tz, cells) is not None
    return {"phase_flags": raised}


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
    if expected_version is not None and expected_version != report.version:
        raise PreconditionFailed(
            f"the report is at version {report.version}, not {expected_version}; reload it"
        )
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


# -- year-end assessment ------------------------------------------------------------------
def assessment(session: Session, principal: Principal, campaign_id: str, now: datetime) -> dict:
    """Every unit of the campaign scored by ``domain.assess``, best first."""
    campaign = get_campaign(session, campaign_id)
    if not principal.is_global and principal.unit is None:
        raise Forbidden("the assessment is for the security office, the leadership and units")
    scores: dict[str, list[int]] = {}
    for unit, score in session.execute(
        select(SupervisionReport.unit_code, SupervisionReport.score).where(
            SupervisionReport.campaign_id == campaign_id
        )
    ):
        scores.setdefault(unit, []).append(score)
    flag_counts: dict[str, dict[str, int]] = {}
    for unit, status, count in session.execute(
        select(Flag.unit_code, Flag.status, func.count())
        .where(Flag.campaign_id == campaign_id)
        .group_by(Flag.unit_code, Flag.status)
    ):
        flag_counts.setdefault(unit, {})[status] = count
    units = {
        u.unit_code: u
        for u in session.scalars(
            select(CampaignUnit).where(CampaignUnit.campaign_id == campaign_id)
        )
    }
    codes = set(units) | set(scores) | set(flag_counts)
    if not principal.is_global:
        codes &= {principal.unit}
    rows = []
    for code in codes:
        unit = units.get(code)
        rows.append(
            {
                "unit_code": code,
                "unit_name": unit.name if unit else unit_name(session, campaign_id, code),
                "kind": unit.kind if unit else None,
                **domain.assess(scores.get(code, []), flag_counts.get(code, {})),
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["unit_code"]))
    return {
        "campaign_id": campaign.id,
        "campaign_name": campaign.name,
        "formula": domain.ASSESSMENT_FORMULA,
        "generated_at": now,
        "units": rows,
    }


ASSESSMENT_HEADERS = (
    "单位",
    "督查平均分",
    "督查次数",
    "问责记录（确认）",
    "问责记录（待处理）",
    "问责记录（已说明）",
    "考核得分",
)


def assessment_xlsx(view: dict, tz: str) -> bytes:
    """年终考核 as .xlsx: title, generation time and formula, then one row per unit
    (names are written as text: a unit called ``=…`` never becomes a formula)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "年终考核"
    write_title(sheet, f"年终考核：{view['campaign_name']}", len(ASSESSMENT_HEADERS))
    generated = campus_time(view["generated_at"], tz)
    append_row(sheet, [f"生成时间：{generated:%Y-%m-%d %H:%M}", view["formula"]])
    append_row(sheet, ASSESSMENT_HEADERS)
    style_header_row(sheet, 3)
    for row in view["units"]:
        append_row(
            sheet,
            [
                row["unit_name"],
                row["supervision_average"],
                row["supervision_count"],
                row["flags"]["confirmed"],
                row["flags"]["open"],
                row["flags"]["explained"],
                row["score"],
            ],
        )
    set_column_widths(sheet, [26, 14, 12, 18, 20, 20, 12])
    return workbook_bytes(book)
