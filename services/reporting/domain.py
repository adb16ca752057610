"""Pure rules of reporting and accountability: due dates, lateness, flag causes, rates.

Due dates are campus calendar dates: "due 2021-11-22" means before 2021-11-23 00:00 in
the campus time zone. A flag's ``cause_key`` names its cause exactly once, so raising
the same cause again (an event redelivered, a sweep run twice) adds nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Rule(StrEnum):
    LATE_SUBMISSION = "late_submission"  # 报表报送不及时
    MISSING_SUBMISSION = "missing_submission"  # 报表未报送
    OVERDUE_HAZARD = "overdue_hazard"  # 隐患逾期未整改
    MAJOR_UNRESOLVED = "major_unresolved"  # 重大安全隐患悬而不决
    PHASE_TASK_INCOMPLETE = "phase_task_incomplete"  # 阶段任务未按期完成


RULE_LABELS = {
    Rule.LATE_SUBMISSION: "统计表逾期报送",
    Rule.MISSING_SUBMISSION: "统计表未报送",
    Rule.OVERDUE_HAZARD: "隐患逾期未整改",
    Rule.MAJOR_UNRESOLVED: "重大安全隐患悬而不决",
    Rule.PHASE_TASK_INCOMPLETE: "阶段任务未按期完成",
}


class FlagStatus(StrEnum):
    OPEN = "open"
    EXPLAINED = "explained"  # the unit explained; accepted as a reason
    CONFIRMED = "confirmed"  # accountability confirmed
    WITHDRAWN = "withdrawn"


DECISIONS = (FlagStatus.EXPLAINED, FlagStatus.CONFIRMED, FlagStatus.WITHDRAWN)

# Stages counted as rectified (整改完成并验收) and as under remediation.
RECTIFIED_STATUSES = ("accepted", "closed", "archived")
IN_REMEDIATION_STATUSES = ("in_remediation", "rectified")


def end_of_day(day: date, tz: str) -> datetime:
    """The first instant after ``day`` on campus: the moment a due date has passed."""
    return datetime.combine(day + timedelta(days=1), time(), ZoneInfo(tz))


def start_of_day(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(tz))


def is_late(submitted_at: datetime, due_on: date, tz: str) -> bool:
    return submitted_at >= end_of_day(due_on, tz)


def due_passed(now: datetime, due_on: date, tz: str) -> bool:
    return now >= end_of_day(due_on, tz)


def reminder_due(today: date, due_on: date, days_before: int) -> bool:
    """Remind from ``days_before`` days ahead until the due date itself."""
    return 0 <= (due_on - today).days <= days_before


def cause_key(rule: Rule, *parts: object) -> str:
    return ":".join([rule.value, *(str(p) for p in parts)])


def rate(part: int, whole: int) -> float | None:
    """整改率 and the like: a ratio rounded to 4 places, None when nothing to divide."""
    return round(part / whole, 4) if whole else None


def tally(rows: Iterable[tuple[str, str, int]]) -> dict:
    """Counts by unit and by status from (unit_code, status, count) rows."""
    by_unit: dict[str, Counter[str]] = {}
    by_status: Counter[str] = Counter()
    for unit_code, status, count in rows:
        by_unit.setdefault(unit_code, Counter())[status] += count
        by_status[status] += count
    return {
        "total": sum(by_status.values()),
        "by_status": dict(sorted(by_status.items())),
        "by_unit": {
            unit: {"total": sum(counts.values()), "by_status": dict(sorted(counts.items()))}
            for unit, counts in sorted(by_unit.items())
        },
    }


# -- task work ledgers, supervision reports, year-end assessment ------------------------------
LEDGER_KINDS = {
    "self_inspection": "自查项目",
    "action": "整改措施",
    "evidence": "证明材料",
}
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


# 年终考核 (year-end assessment): base score and deductions per flag status.
ASSESSMENT_BASE = 100.0
ASSESSMENT_DEDUCTIONS = {
    FlagStatus.CONFIRMED: 5.0,
    FlagStatus.OPEN: 2.0,
    FlagStatus.EXPLAINED: 1.0,
    FlagStatus.WITHDRAWN: 0.0,
}
ASSESSMENT_FORMULA = (
    "考核得分 = 督查平均分（无督查报告按 100 分计）− 5 × 问责记录（确认）"
    "− 2 × 问责记录（待处理）− 1 × 问责记录（已说明），最低 0 分；已撤销的问责记录不扣分"
)


def assess(scores: Iterable[float], flags_by_status: dict[str, int]) -> dict:
    """Year-end assessment (年终考核) of one unit in one campaign.

    score = S − 5 × confirmed − 2 × open − 1 × explained, floored at 0, where S is the
    average of every supervision report score (0–100) the unit received in the campaign
    (all phases, all lead departments), or 100 when it received none. Withdrawn flags
    deduct nothing. Flags are the unit's accountability records of that campaign in their
    current status. The average and the score are rounded to 2 decimals.
    """
    values = list(scores)
    average = sum(values) / len(values) if values else None
    counts = {status.value: int(flags_by_status.get(status.value, 0)) for status in FlagStatus}
    deduction = sum(ASSESSMENT_DEDUCTIONS[FlagStatus(s)] * n for s, n in counts.items())
    base = ASSESSMENT_BASE if average is None else average
    return {
        "supervision_average": None if average is None else round(average, 2),
        "supervision_count": len(values),
        "flags": counts,
        "deduction": deduction,
        "score": round(max(0.0, base - deduction), 2),
    }
