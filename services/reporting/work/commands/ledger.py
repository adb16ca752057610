"""Task work ledgers (工作台账): entries and their evidence files. A unit's manager writes
its own phase work (about its unit, in a units' phase, while the work is open); the task's
lead departments and the security office write about the whole task or any answering unit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.models import CampaignPhase, CampaignTask, LedgerFile, TaskLedgerEntry
from services.reporting.work import access
from services.reporting.work.commands.lookups import (
    get_task,
    invalid,
    phase_of,
    require_open,
    units_phase,
)
from shared import files
from shared.errors import Forbidden, NotFound
from shared.principal import Principal


def _entry_unit(
    session: Session,
    task: CampaignTask,
    own: str | None,
    phase: CampaignPhase | None,
    unit: str | None,
) -> str | None:
    """The unit an entry concerns: a unit's manager writes about its own open phase work;
    the others about any unit answering for the task, or the whole task (None)."""
    if own is None:
        if unit and unit not in access.units_of(task):
            raise invalid("unit_code", f"{unit} 不承担任务{task.number}")
        return unit
    if unit not in (None, own):
        raise Forbidden(f"{own} 只能填写本单位的阶段工作，不能填写 {unit} 的")
    if phase is None:
        raise invalid("phase_id", "单位的台账记录须属于它在某一阶段的工作")
    if not units_phase(phase):
        raise invalid(
            "phase_id",
            f"{phase.name}是牵头部门的阶段（督查报告），不是单位自己的工作",
        )
    require_open(session, task, phase, own)
    return own


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
    own = access.writer_unit(principal, task)
    phase = phase_of(session, campaign_id, data["phase_id"]) if data.get("phase_id") else None
    unit = _entry_unit(session, task, own, phase, data.get("unit_code"))
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
    only = access.task_reader_unit(principal, task)
    stmt = select(TaskLedgerEntry).where(
        TaskLedgerEntry.task_id == task.id, access.entries_concerning(only)
    )
    for key in ("kind", "phase_id", "unit_code"):
        if query.get(key):
            stmt = stmt.where(getattr(TaskLedgerEntry, key) == query[key])
    return list(session.scalars(stmt.order_by(TaskLedgerEntry.recorded_at, TaskLedgerEntry.id)))


# -- evidence files -----------------------------------------------------------------------
def get_ledger_entry(
    session: Session, campaign_id: str, task: CampaignTask, entry_id: str
) -> TaskLedgerEntry:
    entry = session.get(TaskLedgerEntry, entry_id)
    if entry is None or entry.task_id != task.id or entry.campaign_id != campaign_id:
        raise NotFound(f"台账记录 {entry_id} 不属于任务{task.number}")
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
    (``access.writer_unit``): a unit's manager only on an entry of its own open phase work.
    Checked (413/415) before anything is written; stored by content hash under
    ``files_dir`` (shared.files)."""
    task = get_task(session, campaign_id, task_id)
    own = access.writer_unit(principal, task)
    entry = get_ledger_entry(session, campaign_id, task, entry_id)
    if own is not None:
        phase = session.get(CampaignPhase, entry.phase_id) if entry.phase_id else None
        if entry.unit_code != own or phase is None or not units_phase(phase):
            raise Forbidden(f"台账记录 {entry_id} 不属于 {own} 自己的阶段工作")
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
    only = access.task_reader_unit(principal, task)
    entry = get_ledger_entry(session, campaign_id, task, entry_id)
    if not access.concerns(entry.unit_code, only):
        raise Forbidden(f"台账记录 {entry_id} 涉及 {entry.unit_code}，不是 {only}")
    row = session.get(LedgerFile, file_id)
    if row is None or row.entry_id != entry.id:
        raise NotFound(f"文件 {file_id} 不属于台账记录 {entry_id}")
    return row
