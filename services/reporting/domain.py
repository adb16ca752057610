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
