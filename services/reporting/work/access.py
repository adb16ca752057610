"""Who may act on and see the campaign's own work: each rule as a Python predicate and,
where a list is filtered in the database, its SQL form beside it.

- a unit's phase work is written and submitted by its manager (the security office on
  its behalf): ``Principal.may_manage_unit``;
- a lead department of the task (its unit in ``lead_units``) confirms or returns a unit's
  work, never its own unit's; lead departments and the security office write entries
  about the whole task or any answering unit;
- the security office and the leadership group read everything; a lead department the
  tasks it leads; a unit what concerns it (its own work, entries about it or the task);
- supervision reports: written by a lead department of the campaign's tasks, read by
  their author, the college they are about and the global roles.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, false, or_, true

from services.reporting.models import CampaignTask, SupervisionReport, TaskLedgerEntry
from services.reporting.work.domain import task_units
from shared.errors import Forbidden
from shared.principal import LEAD_DEPARTMENT, SECURITY_OFFICE, UNIT_MANAGER, Principal


def units_of(task: CampaignTask) -> list[str]:
    """The units answering for the task (``domain.task_units``)."""
    return task_units(task.lead_units, task.responsible_units)


# -- tasks ----------------------------------------------------------------------------------
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
        f"任务{task.number}（{task.title}）由{'、'.join(task.lead_units) or '（无）'}牵头；"
        "只有其牵头部门、安全保卫处和承担该任务的单位负责人可以填写其台账"
    )


def task_reader_unit(principal: Principal, task: CampaignTask) -> str | None:
    """None: the caller reads the whole task; a unit code: only what concerns that unit."""
    if principal.is_global or leads(principal, task):
        return None
    if principal.unit is not None and principal.unit in units_of(task):
        return principal.unit
    raise Forbidden(f"任务{task.number}（{task.title}）不在您的权限范围内")


def concerns(entry_unit: str | None, only: str | None) -> bool:
    """A ledger entry a reader limited to ``only`` sees: about that unit or the whole task."""
    return only is None or entry_unit in (None, only)


def entries_concerning(only: str | None) -> ColumnElement[bool]:
    """``concerns`` in SQL."""
    if only is None:
        return true()
    return or_(TaskLedgerEntry.unit_code == only, TaskLedgerEntry.unit_code.is_(None))


def progress_tasks(principal: Principal, tasks: Iterable[CampaignTask]) -> list[CampaignTask]:
    """The rows of the progress matrix the caller sees: every task for the global roles,
    the tasks it leads for a lead department; nobody else reads the matrix."""
    if principal.is_global:
        return list(tasks)
    if LEAD_DEPARTMENT not in principal.roles:
        raise Forbidden("进度表供安全保卫处和牵头部门查看")
    return [t for t in tasks if leads(principal, t)]


# -- a unit's phase work --------------------------------------------------------------------
def require_submitter(principal: Principal, unit_code: str) -> None:
    """A unit's phase work is submitted by its manager, or the security office for it."""
    if principal.may_manage_unit(unit_code):
        return
    raise Forbidden(f"{unit_code} 的阶段工作由该单位负责人提交，或由安全保卫处代为提交")


def require_reviewer(principal: Principal, task: CampaignTask, unit_code: str) -> None:
    """A lead department of the task confirms or returns a unit's work, never its own
    unit's (another lead department of the task, or the security office, decides it)."""
    if SECURITY_OFFICE in principal.roles:
        return
    if leads(principal, task):
        if principal.unit == unit_code:
            raise Forbidden(
                f"{unit_code} 不能确认或退回自己在任务{task.number}上的工作，"
                "由该任务的其他牵头部门或安全保卫处决定"
            )
        return
    raise Forbidden(
        f"任务{task.number}的工作由其牵头部门（{'、'.join(task.lead_units) or '无'}）"
        "或安全保卫处确认或退回"
    )


# -- supervision reports --------------------------------------------------------------------
def require_supervisor(
    principal: Principal, campaign_id: str, tasks: Iterable[CampaignTask]
) -> str:
    """The author of a supervision report: a lead department leading some task of the
    campaign; its unit is returned."""
    if LEAD_DEPARTMENT not in principal.roles or principal.unit is None:
        raise Forbidden("督查报告由牵头部门填写")
    if not any(principal.unit in t.lead_units for t in tasks):
        raise Forbidden(f"{principal.unit} 不牵头专项整治 {campaign_id} 的任何任务")
    return principal.unit


def require_author(principal: Principal, report: SupervisionReport) -> None:
    if LEAD_DEPARTMENT not in principal.roles or principal.unit != report.author_unit:
        raise Forbidden(f"只有报告的填写单位 {report.author_unit} 可以修改此报告")


def can_read_report(principal: Principal, report: SupervisionReport) -> bool:
    return principal.is_global or principal.unit in (report.author_unit, report.unit_code)


def readable_reports(principal: Principal) -> ColumnElement[bool]:
    """``can_read_report`` in SQL (a caller without a unit and no global role: none)."""
    if principal.is_global:
        return true()
    if principal.unit is None:
        return false()
    return or_(
        SupervisionReport.author_unit == principal.unit,
        SupervisionReport.unit_code == principal.unit,
    )
