"""Pure rules of the campaign's own work: ledger kinds, whose work a phase is, the steps of a
unit's phase work and whether it stood in time, supervision reports' colleges and their
editing window, the units answering for a task.

Dates are campus dates, as in ``services.reporting.domain`` (whose ``end_of_day`` and
``due_passed`` say when a date has passed).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum

from services.reporting.domain import due_passed, end_of_day

# -- task work ledgers ------------------------------------------------------------------------
LEDGER_KINDS = {
    "self_inspection": "自查项目",
    "action": "整改措施",
    "evidence": "证明材料",
    # A responsible unit's own phase work, as the plan lists it for 自查自纠 and 整改完善.
    "organisation": "工作机构",
    "work_plan": "工作方案",
    "check_ledger": "自查台账",
    "rectify_plan": "整改方案",
}


# -- phase work: whose phase it is, and a unit's work in it ------------------------------------
class PhaseParty(StrEnum):
    """Whose work a phase is, as the campaign's data says (a property of the phase)."""

    UNITS = "units"  # each answering unit keeps and submits its own work (自查自纠, 整改完善)
    LEAD_DEPARTMENTS = "lead_departments"  # the lead departments': a report on every college


PHASE_PARTY_LABELS = {PhaseParty.UNITS: "各责任单位", PhaseParty.LEAD_DEPARTMENTS: "各牵头部门"}


class WorkStatus(StrEnum):
    """A unit's work on a task in a phase; a step is named by the status it leads to."""

    NOT_SUBMITTED = "not_submitted"
    SUBMITTED = "submitted"  # the unit marked it done
    CONFIRMED = "confirmed"  # a lead department of the task accepted it
    RETURNED = "returned"  # a lead department sent it back, with a reason


WORK_STATUS_LABELS = {
    WorkStatus.NOT_SUBMITTED: "未提交",
    WorkStatus.SUBMITTED: "已提交",
    WorkStatus.CONFIRMED: "已确认",
    WorkStatus.RETURNED: "已退回",
}
# The statuses each step may be taken from (returned → submitted again).
WORK_STEPS_FROM = {
    WorkStatus.SUBMITTED: (WorkStatus.NOT_SUBMITTED, WorkStatus.RETURNED),
    WorkStatus.CONFIRMED: (WorkStatus.SUBMITTED,),
    WorkStatus.RETURNED: (WorkStatus.SUBMITTED,),
}
STANDING = (WorkStatus.SUBMITTED, WorkStatus.CONFIRMED)  # done, as far as the unit is concerned


def work_step_refused(current: str, step: WorkStatus) -> str | None:
    """Why ``step`` cannot be taken from ``current`` (None: it can)."""
    if current in WORK_STEPS_FROM[step]:
        return None
    label = WORK_STATUS_LABELS[WorkStatus(current)]
    if step == WorkStatus.SUBMITTED:
        return f"工作已是「{label}」（{current}），只有被退回的工作可以再次提交"
    return f"工作为「{label}」（{current}），只有已提交的工作可以确认或退回"


def work_status_at(steps: Iterable[tuple[str, datetime]], instant: datetime) -> WorkStatus:
    """The status after the steps (in the order taken) that happened before ``instant``."""
    status = WorkStatus.NOT_SUBMITTED
    for step, at in steps:
        if at >= instant:
            break
        status = WorkStatus(step)
    return status


def work_in_time(steps: Iterable[tuple[str, datetime]], deadline: date, tz: str) -> bool:
    """In time: when the phase deadline passed the work stood submitted or confirmed (never
    submitted, or sent back and not submitted again, by then: not in time). Steps after the
    deadline change nothing, so the answer is the same whenever it is asked."""
    return work_status_at(steps, end_of_day(deadline, tz)) in STANDING


def supervision_missing(
    colleges: Iterable[str], first_report: dict[str, datetime], deadline: date, tz: str
) -> list[str]:
    """The colleges a lead department had no supervision report on when the phase deadline
    passed (``first_report``: college → when its first report on it was written)."""
    end = end_of_day(deadline, tz)
    return [c for c in colleges if c not in first_report or first_report[c] >= end]


SUPERVISION_EDIT_MONTHS = 1  # a supervision report can be replaced until phase end + 1 month
SCORE_MIN, SCORE_MAX = 0, 100


def task_units(lead_units: Iterable[str], responsible_units: Iterable[str]) -> list[str]:
    """The units answering for a focus task in each phase: its responsible units (责任部门),
    or, for a task that names none (e.g. 通勤车及交通安全整治), its lead departments. Order
    kept, duplicates dropped."""
    units = list(dict.fromkeys(responsible_units)) or list(dict.fromkeys(lead_units))
    return units


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (01-31 + 1 → 02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_month - timedelta(days=1)).day))


def supervision_edit_deadline(phase_deadline: date) -> date:
    """Last campus day on which a phase's supervision report may still be replaced."""
    return add_months(phase_deadline, SUPERVISION_EDIT_MONTHS)


def supervision_editable(now: datetime, phase_deadline: date, tz: str) -> bool:
    return not due_passed(now, supervision_edit_deadline(phase_deadline), tz)


def units_phase(party: str) -> bool:
    """Each answering unit keeps its own work in a phase of this party (else: the lead
    departments', whose work is a supervision report on every secondary college)."""
    return party == PhaseParty.UNITS
