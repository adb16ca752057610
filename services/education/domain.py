"""Pure rules of safety education and drills (安全教育与演练): activity kinds and states,
themed dates, scheduling conflicts, the sign-in window, attendance rates, coverage (the psych
ledger's rules are in services.education.psych.domain). No Flask, no database session.

Activity times are half-open intervals ``[starts_at, ends_at)``: an activity that ends at
10:00 and one that starts at 10:00 in the same venue do not overlap.
"""

from __future__ import annotations

import calendar
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared import hazard_stages
from shared.errors import DomainError
from shared.plan_lapses import PlanStatus


class Kind(StrEnum):
    LECTURE = "lecture"  # 科普讲座
    DRILL = "drill"  # 安全演练
    CASE_EDUCATION = "case_education"  # 案例教育
    HANDS_ON = "hands_on"  # 亲身体验
    MENTAL_HEALTH = "mental_health"  # 心理健康课程
    THEMED_EVENT = "themed_event"  # 主题活动


KIND_LABELS = {
    Kind.LECTURE: "科普讲座",
    Kind.DRILL: "安全演练",
    Kind.CASE_EDUCATION: "案例教育",
    Kind.HANDS_ON: "亲身体验",
    Kind.MENTAL_HEALTH: "心理健康课程",
    Kind.THEMED_EVENT: "主题活动",
}


class Status(StrEnum):
    PLANNED = "planned"  # 计划中
    HELD = "held"  # 已举办
    CANCELLED = "cancelled"  # 已取消


STATUS_LABELS = {Status.PLANNED: "计划中", Status.HELD: "已举办", Status.CANCELLED: "已取消"}

SEVERITIES = hazard_stages.SEVERITIES  # a drill problem becomes a hazard of this severity
SEVERITY_LABELS = hazard_stages.SEVERITY_LABELS

# How early before the start a sign-in code is accepted (people arrive early).
CHECK_IN_GRACE = timedelta(minutes=15)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen
CODE_LENGTH = 6


class ScheduleConflict(DomainError):
    status = 409
    title = "Venue already booked"


class InvalidActivity(DomainError):
    status = 422
    title = "Invalid activity"


class InvalidState(DomainError):
    status = 409
    title = "Invalid activity state"


class CheckInClosed(DomainError):
    status = 409
    title = "Check-in is closed"


class WrongCode(DomainError):
    status = 422
    title = "Wrong sign-in code"


class AlreadyCheckedIn(DomainError):
    status = 409
    title = "Already checked in"


class CapacityReached(DomainError):
    status = 409
    title = "Capacity reached"


# -- activity rules ------------------------------------------------------------------------
def check_times(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidActivity("开始和结束时间须带时区（如 +08:00）")
    if ends_at <= starts_at:
        raise InvalidActivity(
            "活动的结束时间须晚于开始时间",
            invalid_params=[{"name": "ends_at", "reason": "须晚于开始时间"}],
        )
    if ends_at - starts_at > timedelta(days=31):
        raise InvalidActivity(
            "活动最长 31 天",
            invalid_params=[{"name": "ends_at", "reason": "不能晚于开始时间后 31 天"}],
        )


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: touching ends (10:00-11:00 and 11:00-12:00) do not overlap."""
    return a_start < b_end and b_start < a_end


def normalize_venue(venue: str | None) -> str | None:
    """Venues are typed in: "  1号报告厅 " and "1号报告厅" are the same room."""
    if venue is None:
        return None
    key = " ".join(venue.split()).casefold()
    return key or None


@dataclass(frozen=True)
class Booking:
    """What the scheduling rules need to know of an existing activity."""

    activity_id: str
    title: str
    venue_key: str | None
    starts_at: datetime
    ends_at: datetime
    targets: frozenset[tuple[str, str | None]]  # (unit_code, class_name or None = whole unit)


def venue_clash(
    venue_key: str | None, starts_at: datetime, ends_at: datetime, others: Iterable[Booking]
) -> Booking | None:
    """The first other activity holding the same venue at an overlapping time."""
    if venue_key is None:
        return None
    clashes = [
        b
        for b in others
        if b.venue_key == venue_key and overlaps(starts_at, ends_at, b.starts_at, b.ends_at)
    ]
    return min(clashes, key=lambda b: (b.starts_at, b.activity_id)) if clashes else None


def targets_meet(a: tuple[str, str | None], b: tuple[str, str | None]) -> bool:
    """The same people: same unit, and either side is the whole unit or the same class."""
    return a[0] == b[0] and (a[1] is None or b[1] is None or a[1] == b[1])


def double_bookings(
    targets: Iterable[tuple[str, str | None]],
    starts_at: datetime,
    ends_at: datetime,
    others: Iterable[Booking],
) -> list[tuple[tuple[str, str | None], Booking]]:
    """Targets that another activity claims at an overlapping time (a warning, not an error:
    a unit may well send half its students to one activity and half to the other)."""
    out = []
    targets = list(targets)
    for other in sorted(others, key=lambda b: (b.starts_at, b.activity_id)):
        if not overlaps(starts_at, ends_at, other.starts_at, other.ends_at):
            continue
        for target in targets:
            if any(targets_meet(target, theirs) for theirs in other.targets):
                out.append((target, other))
    return out


def _status_word(status: str) -> str:
    return STATUS_LABELS.get(status, status)  # type: ignore[call-overload]


def can_cancel(status: str) -> None:
    if status != Status.PLANNED:
        raise InvalidState(f"只有计划中的活动可以取消（该活动{_status_word(status)}）")


def can_reschedule(status: str) -> None:
    if status != Status.PLANNED:
        raise InvalidState(f"只有计划中的活动可以修改（该活动{_status_word(status)}）")


def can_mark_held(status: str, starts_at: datetime, now: datetime) -> None:
    if status != Status.PLANNED:
        raise InvalidState(f"只有计划中的活动可以标记为已举办（该活动{_status_word(status)}）")
    if now < starts_at:
        raise InvalidState("活动开始前不能标记为已举办")


def check_plan(kind: str, plan_id: str | None) -> None:
    """Only a drill exercises an emergency plan (应急预案); the plan itself is the hazards
    register's, named here by id (an event carries it, no call checks it)."""
    if plan_id and kind != Kind.DRILL:
        raise InvalidActivity(
            "plan_id：仅演练可关联应急预案",
            invalid_params=[{"name": "plan_id", "reason": "仅演练可关联应急预案"}],
        )


def check_plan_in_force(plan_id: str | None, status: str | None, title: str | None) -> None:
    """A drill names a plan still in force: a withdrawn plan (已废止) takes no drill (409
    naming ``plan_id``). A plan education has not heard of yet (``status`` None: its
    announcement may lag the drill's form) is taken on trust; hazards ignores an unknown id."""
    if plan_id and status == PlanStatus.WITHDRAWN:
        raise InvalidState(
            f"应急预案《{title}》已废止，不能再为其组织演练；请选择现行有效的预案",
            invalid_params=[{"name": "plan_id", "reason": "该应急预案已废止", "location": "json"}],
        )


def can_record_drill(kind: str, status: str, starts_at: datetime, now: datetime) -> None:
    if kind != Kind.DRILL:
        raise InvalidState("只有安全演练可以记录演练结果")
    if status == Status.CANCELLED:
        raise InvalidState("演练已取消，不能记录结果")
    if now < starts_at:
        raise InvalidState("演练开始前不能记录结果")


# -- sign-in -------------------------------------------------------------------------------
def new_sign_in_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    return "".join(code.split()).upper()


def code_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(normalize_code(given).encode(), expected.encode())


def check_in_window(
    starts_at: datetime, ends_at: datetime, grace: timedelta = CHECK_IN_GRACE
) -> tuple[datetime, datetime]:
    """The sign-in code is accepted from ``grace`` before the start until the end."""
    return starts_at - grace, ends_at


def check_in_allowed(
    now: datetime, starts_at: datetime, ends_at: datetime, grace: timedelta = CHECK_IN_GRACE
) -> bool:
    opens, closes = check_in_window(starts_at, ends_at, grace)
    return opens <= now < closes


# -- attendance ----------------------------------------------------------------------------
def rate(attended: int, enrolled: int) -> float | None:
    """Attendance rate 0..1 rounded to 4 places; None when nobody was enrolled."""
    return round(attended / enrolled, 4) if enrolled else None


# -- themed dates --------------------------------------------------------------------------
@dataclass(frozen=True)
class ThemedDay:
    """A recurring national date to plan education around (month/day ranges, inclusive)."""

    key: str
    name: str
    theme: str
    start: tuple[int, int]  # (month, day)
    end: tuple[int, int] | None  # None: a single day; (6, 0) means the month's last day
    suggested_kinds: tuple[Kind, ...]

    def span(self, year: int) -> tuple[date, date]:
        first = date(year, *self.start)
        if self.end is None:
            return first, first
        month, day = self.end
        return first, date(year, month, day or calendar.monthrange(year, month)[1])


NATIONAL_THEMED_DAYS: tuple[ThemedDay, ...] = (
    ThemedDay(
        "safety_production_month",
        "安全生产月",
        "安全生产",
        (6, 1),
        (6, 0),
        (Kind.THEMED_EVENT, Kind.HANDS_ON, Kind.DRILL),
    ),
    ThemedDay(
        "fire_safety_day",
        "全国消防日",
        "消防安全",
        (11, 9),
        None,
        (Kind.DRILL, Kind.LECTURE, Kind.HANDS_ON),
    ),
    ThemedDay(
        "traffic_safety_day",
        "全国交通安全日",
        "交通安全",
        (12, 2),
        None,
        (Kind.LECTURE, Kind.CASE_EDUCATION),
    ),
)

# The 2021 campaign's own dates (demo/seed data: a campaign is data, not code; next year's
# dates are entered through the API). Phases from the 2021-11-08 plan, section 三.
SEED_CAMPAIGN_DATES: tuple[dict, ...] = (
    {
        "name": "校园安全专项整治·自查自纠阶段",
        "theme": "安全进校园",
        "starts_on": date(2021, 11, 8),
        "ends_on": date(2021, 11, 15),
        "suggested_kinds": [Kind.LECTURE.value, Kind.CASE_EDUCATION.value],
    },
    {
        "name": "校园安全专项整治·整改完善阶段",
        "theme": "安全进校园",
        "starts_on": date(2021, 11, 16),
        "ends_on": date(2021, 12, 15),
        "suggested_kinds": [Kind.DRILL.value, Kind.HANDS_ON.value],
    },
    {
        "name": "校园安全专项整治·督导检查阶段",
        "theme": "安全进校园",
        "starts_on": date(2021, 12, 16),
        "ends_on": date(2021, 12, 30),
        "suggested_kinds": [Kind.THEMED_EVENT.value, Kind.MENTAL_HEALTH.value],
    },
)


@dataclass(frozen=True)
class Suggestion:
    key: str
    name: str
    theme: str
    starts_on: date
    ends_on: date
    suggested_kinds: tuple[str, ...]
    source: str  # national | campaign


def national_suggestions(year: int) -> list[Suggestion]:
    out = []
    for day in NATIONAL_THEMED_DAYS:
        first, last = day.span(year)
        kinds = tuple(k.value for k in day.suggested_kinds)
        out.append(Suggestion(day.key, day.name, day.theme, first, last, kinds, "national"))
    return out


def suggestions_for_year(year: int, campaign: Sequence[Suggestion] = ()) -> list[Suggestion]:
    """National themed dates of ``year`` and the campaign dates touching it, by date."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    inside = [s for s in campaign if s.starts_on <= last and s.ends_on >= first]
    return sorted(national_suggestions(year) + inside, key=lambda s: (s.starts_on, s.key))


# -- campus calendar -----------------------------------------------------------------------
def campus_day_bounds(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    """[first 00:00, last+1 00:00) in campus time, as aware datetimes."""
    zone = ZoneInfo(tz)
    return (
        datetime.combine(first, time(), zone),
        datetime.combine(last + timedelta(days=1), time(), zone),
    )


def uncovered(units: Iterable[str], covered: Iterable[str]) -> list[str]:
    """Units with no activity of the required kind (coverage gaps), in unit order."""
    seen = set(covered)
    return [u for u in units if u not in seen]
