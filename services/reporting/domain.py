"""Pure rules of reporting and accountability: due dates, lateness, flag causes, rates.

Due dates are campus calendar dates: "due 2021-11-22" means before 2021-11-23 00:00 in
the campus time zone. A flag's ``cause_key`` names its cause exactly once, so raising
the same cause again (an event redelivered, a sweep run twice) adds nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.errors import DomainError


class Conflict(DomainError):
    """The record's state refuses the request (409): already there, frozen, locked."""

    title = "Conflict"


class Rule(StrEnum):
    LATE_SUBMISSION = "late_submission"  # 报表报送不及时
    MISSING_SUBMISSION = "missing_submission"  # 报表未报送
    OVERDUE_HAZARD = "overdue_hazard"  # 隐患逾期未整改
    MAJOR_UNRESOLVED = "major_unresolved"  # 重大安全隐患悬而不决
    PHASE_TASK_INCOMPLETE = "phase_task_incomplete"  # 阶段任务未按期完成
    LATE_ACCEPTANCE = "late_acceptance"  # 隐患验收逾期 (the acceptor's delay, not the unit's)
    INCIDENT_RESPONSIBILITY = "incident_responsibility"  # 安全事故责任认定 (incidents ledger)
    UNSIGNED_LETTER = "unsigned_letter"  # 安全责任书未签订 (a head at phase one's deadline)


RULE_LABELS = {
    Rule.LATE_SUBMISSION: "统计表逾期报送",
    Rule.MISSING_SUBMISSION: "统计表未报送",
    Rule.OVERDUE_HAZARD: "隐患逾期未整改",
    Rule.MAJOR_UNRESOLVED: "重大安全隐患悬而不决",
    Rule.PHASE_TASK_INCOMPLETE: "阶段任务未按期完成",
    Rule.LATE_ACCEPTANCE: "隐患验收逾期",
    Rule.INCIDENT_RESPONSIBILITY: "安全事故责任认定",
    Rule.UNSIGNED_LETTER: "安全责任书未签订",
}


class FlagStatus(StrEnum):
    OPEN = "open"  # raised, the cause still there, not decided
    RESOLVED_LATE = "resolved_late"  # the cause ended after its deadline: lateness on record
    SUPERSEDED = "superseded"  # replaced by another flag of the same cause (未报送 → 逾期报送)
    EXPLAINED = "explained"  # decided: the unit's explanation accepted
    CONFIRMED = "confirmed"  # decided: accountability confirmed
    WITHDRAWN = "withdrawn"  # decided: raised in error (only ever by a decision with a reason)


FLAG_STATUS_LABELS = {
    FlagStatus.OPEN: "待处理",
    FlagStatus.RESOLVED_LATE: "逾期后已整改",
    FlagStatus.SUPERSEDED: "已被取代",
    FlagStatus.EXPLAINED: "已说明",
    FlagStatus.CONFIRMED: "已确认",
    FlagStatus.WITHDRAWN: "已撤销",
}

DECISIONS = (FlagStatus.EXPLAINED, FlagStatus.CONFIRMED, FlagStatus.WITHDRAWN)
UNDECIDED = frozenset({FlagStatus.OPEN, FlagStatus.RESOLVED_LATE})


class PersonBasis(StrEnum):
    """Which rule chose the person a flag names (every flag names one when the grid can)."""

    PLACE_HOLDER = "place_holder"  # the place's holder on that day
    ANCESTOR_HOLDER = "ancestor_holder"  # the place had none: the nearest cell above (一级抓一级)
    UNIT_HEAD = "unit_head"  # no place, or nobody above it: the unit's head on that day
    RECTIFIER = "rectifier"  # the grid knows nobody: the hazard's 整改责任人
    NOBODY = "nobody"  # the grid knows nobody for the unit on that day


PERSON_BASIS_LABELS = {
    PersonBasis.PLACE_HOLDER: "隐患所在网格位置当日的责任人",
    PersonBasis.ANCESTOR_HOLDER: "所在位置当日无人，由上级网格当日的负责人承担（一级抓一级）",
    PersonBasis.UNIT_HEAD: "未指明位置或位置无人，由单位当日的负责人承担",
    PersonBasis.RECTIFIER: "网格中无当日负责人，由隐患整改责任人承担",
    PersonBasis.NOBODY: "网格中无当日负责人",
}


# -- the unit's side: explanation, decision, appeal, finality (rule of the review window) --
class ReviewStep(StrEnum):
    RAISED = "raised"
    EXPLANATION = "explanation"  # 情况说明, by the unit named
    DECISION = "decision"  # the security office: confirmed / explained / withdrawn
    APPEAL = "appeal"  # 申诉, by the unit, once
    APPEAL_DECISION = "appeal_decision"  # final
    SUPERSEDED = "superseded"
    RESOLVED_LATE = "resolved_late"
    REOPENED = "reopened"  # the cause came back (a fix rejected at acceptance)


REVIEW_STEP_LABELS = {
    ReviewStep.RAISED: "登记问责记录",
    ReviewStep.EXPLANATION: "单位提交情况说明",
    ReviewStep.DECISION: "安全保卫处认定",
    ReviewStep.APPEAL: "单位申诉",
    ReviewStep.APPEAL_DECISION: "安全保卫处复核（终结）",
    ReviewStep.SUPERSEDED: "被取代",
    ReviewStep.RESOLVED_LATE: "逾期后整改完成",
    ReviewStep.REOPENED: "原因再次出现",
}


class ReviewRefused(Exception):
    """A step of the review the flag's state does not allow; ``reason`` is for a person."""

    def __init__(self, reason: str, status: int = 409) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Review:
    """What the review of one flag has seen so far (loaded by the caller)."""

    status: FlagStatus
    raised_at: datetime
    explained: bool
    decided_at: datetime | None
    appealed: bool
    appeal_decided: bool


def final_at(review: Review, window: timedelta) -> datetime | None:
    """When the decision became (or becomes) final: at once after an appeal's decision, else
    a review window after the decision unless appealed within it. None: not decided yet."""
    if review.decided_at is None:
        return None
    if review.appealed and not review.appeal_decided:
        return None
    return review.decided_at if review.appeal_decided else review.decided_at + window


def is_final(review: Review, window: timedelta, now: datetime) -> bool:
    moment = final_at(review, window)
    return moment is not None and now >= moment


def check_explanation(review: Review, window: timedelta, now: datetime) -> None:
    """The unit explains once, before the security office decides, within the window after
    the flag was raised (later, it appeals the decision instead)."""
    if review.status == FlagStatus.SUPERSEDED:
        raise ReviewRefused("该问责记录已被取代，请对取代它的记录提交说明")
    if review.explained:
        raise ReviewRefused("已提交过情况说明，每条问责记录只能说明一次")
    if review.decided_at is not None:
        raise ReviewRefused("安全保卫处已认定，不能再提交情况说明；如有异议请申诉")
    if now >= review.raised_at + window:
        raise ReviewRefused(
            f"情况说明须在问责记录登记后 {window.days} 天内提交，已超过期限", status=422
        )


def check_decision(review: Review, window: timedelta, now: datetime) -> ReviewStep:
    """The security office decides once; after an appeal it decides again, finally."""
    if review.status == FlagStatus.SUPERSEDED:
        raise ReviewRefused("该问责记录已被取代，无需认定")
    if is_final(review, window, now):
        raise ReviewRefused("该问责记录的认定已终结，不能再更改")
    if review.decided_at is None:
        return ReviewStep.DECISION
    if review.appealed and not review.appeal_decided:
        return ReviewStep.APPEAL_DECISION
    raise ReviewRefused("该问责记录已认定；只有在单位申诉后才能复核")


def check_appeal(review: Review, window: timedelta, now: datetime) -> None:
    """The unit appeals a decision once, within the window after it."""
    if review.decided_at is None:
        raise ReviewRefused("尚未认定，不能申诉；请先提交情况说明")
    if review.appealed:
        raise ReviewRefused("已申诉过，每条问责记录只能申诉一次")
    if now >= review.decided_at + window:
        raise ReviewRefused(f"申诉须在认定后 {window.days} 天内提交，认定已终结", status=422)


def check_file(review: Review, window: timedelta, now: datetime) -> ReviewStep:
    """Files belong to the unit's explanation (until the decision, within the window after
    the flag was raised) or to its pending appeal; which one the file goes with."""
    if review.status == FlagStatus.SUPERSEDED:
        raise ReviewRefused("该问责记录已被取代，请为取代它的记录提交材料")
    if review.appealed and not review.appeal_decided:
        return ReviewStep.APPEAL
    if review.decided_at is not None:
        raise ReviewRefused("安全保卫处已认定；如有异议请先申诉，再为申诉添加材料")
    if now >= review.raised_at + window:
        raise ReviewRefused(
            f"情况说明材料须在问责记录登记后 {window.days} 天内提交，已超过期限", status=422
        )
    return ReviewStep.EXPLANATION


def days_late(deadline: date, ended_on: date) -> int:
    """Whole campus days between a due date and the day the cause ended (at least 1: a
    cause that ended the day after its due date was one day late)."""
    return max(1, (ended_on - deadline).days)


def end_of_day(day: date, tz: str) -> datetime:
    """The first instant after ``day`` on campus: the moment a due date has passed."""
    return datetime.combine(day + timedelta(days=1), time(), ZoneInfo(tz))


def start_of_day(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(tz))


def is_late(submitted_at: datetime, due_on: date, tz: str) -> bool:
    return submitted_at >= end_of_day(due_on, tz)


def due_passed(now: datetime, due_on: date, tz: str) -> bool:
    return now >= end_of_day(due_on, tz)


def answers_for(joined_at: datetime | None, due_on: date, tz: str) -> bool:
    """A unit answers for a due date (a table, a phase) only if the grid knew it before the
    date passed: one that joins later is not flagged for what was due before it existed.
    ``joined_at`` None: known from before the join time was kept (answers for all)."""
    return joined_at is None or joined_at < end_of_day(due_on, tz)


def reminder_due(today: date, due_on: date, days_before: int) -> bool:
    """Remind from ``days_before`` days ahead until the due date itself."""
    return 0 <= (due_on - today).days <= days_before


def shift_campaign(data: dict, start: date) -> dict:
    """A campaign's data moved to begin on ``start``: every date (campaign, phases, due
    dates and their periods) shifted by the same number of days, code and name marked as
    a demonstration, so a newcomer sees live due dates (seed-campaign --demo)."""
    delta = start - data["starts_on"]

    def moved(item: dict, *names: str) -> dict:
        return {**item, **{name: item[name] + delta for name in names}}

    return {
        **moved(data, "starts_on", "ends_on"),
        "code": f"{data['code']}-DEMO-{start:%Y%m%d}",
        "name": f"{data['name']}（演示：日期平移至 {start} 开始）",
        "phases": [moved(p, "deadline") for p in data["phases"]],
        "reporting_dues": [
            moved(d, "due_on", "period_start", "period_end") for d in data["reporting_dues"]
        ],
    }


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


# -- the security office's weekly and monthly lists (周整改、月汇总) -------------------------
def week_of(day: date) -> tuple[date, date]:
    """The campus week (Monday to Sunday) ``day`` falls in."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def month_of(day: date) -> tuple[date, date]:
    """The first and the last campus day of ``day``'s month."""
    first = day.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def days_overdue(deadline: date, today: date) -> int:
    """Whole campus days since a deadline passed: 0 on the deadline itself and before."""
    return max(0, (today - deadline).days)
