"""Pure rules of the hazard ledger: the seven-stage closed loop, numbering, deadlines.

The loop (闭环管理) of the plan: 排查(发现) → 登记(评估) → 报告 → 治理(控制) → 验收 →
销号 → 备案存档. Acceptance may fail and send the hazard back to remediation (the
reopen count is kept). No I/O here: commands load the facts, ask these functions,
and persist what they decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared import vocabulary
from shared.auth import GRID_STAFF, LEAD_DEPARTMENT, SECURITY_OFFICE, UNIT_MANAGER
from shared.errors import DomainError, Forbidden


class Status(StrEnum):
    DISCOVERED = "discovered"  # 排查(发现)
    REGISTERED = "registered"  # 登记(评估)
    REPORTED = "reported"  # 报告
    IN_REMEDIATION = "in_remediation"  # 治理(控制)
    RECTIFIED = "rectified"  # 整改完成, awaiting 验收
    ACCEPTED = "accepted"  # 验收通过
    CLOSED = "closed"  # 销号
    ARCHIVED = "archived"  # 备案存档


STATUS_LABELS = {
    Status.DISCOVERED: "已发现",
    Status.REGISTERED: "已登记",
    Status.REPORTED: "已报告",
    Status.IN_REMEDIATION: "整改中",
    Status.RECTIFIED: "待验收",
    Status.ACCEPTED: "已验收",
    Status.CLOSED: "已销号",
    Status.ARCHIVED: "已存档",
}
OPEN_STATUSES = frozenset(Status) - {Status.CLOSED, Status.ARCHIVED}


class Severity(StrEnum):
    GENERAL = "general"  # 一般隐患
    MAJOR = "major"  # 重大隐患


SEVERITY_LABELS = {Severity.GENERAL: "一般隐患", Severity.MAJOR: "重大隐患"}


class Action(StrEnum):
    REGISTER = "register"  # 登记评估: severity, deadline
    REPORT = "report"  # 报告
    START_REMEDIATION = "start_remediation"  # 治理: 四落实
    RECTIFY = "rectify"  # 整改完成, evidence
    ACCEPT = "accept"  # 验收通过
    REJECT = "reject"  # 验收不通过 → back to remediation
    CLOSE = "close"  # 销号
    ARCHIVE = "archive"  # 备案存档


# action -> (stages it may start from, stage it leads to)
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.REGISTER: (frozenset({Status.DISCOVERED}), Status.REGISTERED),
    Action.REPORT: (frozenset({Status.REGISTERED}), Status.REPORTED),
    Action.START_REMEDIATION: (frozenset({Status.REPORTED}), Status.IN_REMEDIATION),
    Action.RECTIFY: (frozenset({Status.IN_REMEDIATION}), Status.RECTIFIED),
    Action.ACCEPT: (frozenset({Status.RECTIFIED}), Status.ACCEPTED),
    Action.REJECT: (frozenset({Status.RECTIFIED}), Status.IN_REMEDIATION),
    Action.CLOSE: (frozenset({Status.ACCEPTED}), Status.CLOSED),
    Action.ARCHIVE: (frozenset({Status.CLOSED}), Status.ARCHIVED),
}

# Who may take each action (unit-scoped roles only within the hazard's unit, lead
# departments only for the categories they lead — checked by the caller's scope).
ACTION_ROLES: dict[Action, frozenset[str]] = {
    Action.REGISTER: frozenset({SECURITY_OFFICE, UNIT_MANAGER}),
    Action.REPORT: frozenset({SECURITY_OFFICE, UNIT_MANAGER}),
    Action.START_REMEDIATION: frozenset({SECURITY_OFFICE, UNIT_MANAGER}),
    Action.RECTIFY: frozenset({SECURITY_OFFICE, UNIT_MANAGER, GRID_STAFF}),
    Action.ACCEPT: frozenset({SECURITY_OFFICE, UNIT_MANAGER, LEAD_DEPARTMENT}),
    Action.REJECT: frozenset({SECURITY_OFFICE, UNIT_MANAGER, LEAD_DEPARTMENT}),
    Action.CLOSE: frozenset({SECURITY_OFFICE}),
    Action.ARCHIVE: frozenset({SECURITY_OFFICE}),
}

# Who may add photos and documents to a hazard (the finding, the fix): the roles that both
# report hazards and act on them — the security office anywhere, a unit's manager and its
# grid staff in their unit (grid staff rectify, so they bring the "after" photos).
# Leadership (a read-only overview) and lead departments (they judge the work, accept or
# reject, but do not do it) only read the files; portals report but never act.
ATTACH_ROLES: frozenset[str] = frozenset({SECURITY_OFFICE, UNIT_MANAGER, GRID_STAFF})

# The event each action publishes.
ACTION_EVENTS: dict[Action, str] = {
    Action.REGISTER: "hazard.registered",
    Action.REPORT: "hazard.reported",
    Action.START_REMEDIATION: "hazard.remediation_started",
    Action.RECTIFY: "hazard.rectified",
    Action.ACCEPT: "hazard.accepted",
    Action.REJECT: "hazard.rejected",
    Action.CLOSE: "hazard.closed",
    Action.ARCHIVE: "hazard.archived",
}

CATEGORIES, LEAD_DEPARTMENTS = vocabulary.CATEGORIES, vocabulary.LEAD_DEPARTMENTS
category_label = vocabulary.category_label  # leads: services.hazards.leads (campaign data)
SUBCATEGORIES, subcategory_label = vocabulary.SUBCATEGORIES, vocabulary.subcategory_label
ALL_SUBCATEGORIES = vocabulary.ALL_SUBCATEGORIES


class InvalidTransition(DomainError):
    status = 409
    title = "Invalid transition"


class MissingInformation(DomainError):
    status = 422
    title = "Missing information"


class InvalidSubcategory(DomainError):
    status = 422
    title = "Invalid sub-category"


def check_subcategory(category: str, subcategory: str | None) -> None:
    """A sub-category, when given, must be one of the hazard's category (the plan's task)."""
    if subcategory is None or vocabulary.is_subcategory_of(category, subcategory):
        return
    allowed = ", ".join(SUBCATEGORIES.get(category, {})) or "none"
    reason = f"not a sub-category of {category} (one of: {allowed})"
    raise InvalidSubcategory(
        f"{subcategory} is {reason}",
        invalid_params=[{"name": "subcategory", "reason": reason, "location": "json"}],
    )


class SameActor(DomainError):
    status = 409
    title = "Acceptor must differ from rectifier"


class HazardArchived(DomainError):
    status = 409
    title = "Archived"


def next_status(current: Status, action: Action) -> Status:
    """The stage ``action`` leads to from ``current``, or 409 if the loop forbids it."""
    if current == Status.ARCHIVED:
        raise HazardArchived("archived hazards (备案存档) can no longer change")
    sources, target = TRANSITIONS[action]
    if current not in sources:
        allowed = sorted(a.value for a, (src, _) in TRANSITIONS.items() if current in src)
        raise InvalidTransition(
            f"cannot {action.value} a hazard that is {current.value}",
            current_status=current.value,
            allowed_actions=allowed,
        )
    return target


def allowed_actions(current: Status) -> list[str]:
    return sorted(a.value for a, (src, _) in TRANSITIONS.items() if current in src)


# 四落实: responsibility, measures, time limit, contingency plan.
FOUR_IMPLEMENTATIONS = ("responsible_person", "measures", "deadline", "contingency_plan")
# Not quickly fixable: a rectification plan with interim risk-control measures.
LONG_TERM_FIELDS = ("rectification_plan", "interim_measures")


def check_remediation_plan(plan: Mapping[str, object]) -> None:
    """Entering remediation needs the four implementations (and a plan if not quick)."""
    required = list(FOUR_IMPLEMENTATIONS)
    if not plan.get("quick_fix", True):
        required += LONG_TERM_FIELDS
    missing = [name for name in required if not plan.get(name)]
    if missing:
        raise MissingInformation(
            "remediation needs 四落实 (responsible person, measures, time limit, contingency plan)"
            + (
                ""
                if plan.get("quick_fix", True)
                else " and a rectification plan with interim measures"
            ),
            invalid_params=[
                {"name": name, "reason": "required to start remediation", "location": "json"}
                for name in missing
            ],
        )


def check_acceptor(acceptor: str, rectifiers: Iterable[str]) -> None:
    """The person who accepts (验收) is never the person who rectified: ``rectifiers`` is
    everyone who ever rectified the hazard (every round, not only the last one — after a
    rejection someone else may rectify, and the first rectifier still may not judge the
    work). The acceptance review decides both ways, so this holds for rejecting too."""
    if acceptor in set(rectifiers):
        raise SameActor("the person who rectified a hazard cannot accept it")


def check_uploader(roles: Iterable[str], unit: str | None, hazard_unit: str) -> None:
    """Adding a photo or document is acting on the hazard (ATTACH_ROLES): the security
    office on any hazard, a unit manager or grid staff only on their own unit's. Seeing a
    hazard is not enough: leadership and lead departments read its files but add none."""
    held = set(roles) & ATTACH_ROLES
    if SECURITY_OFFICE in held or (held and unit is not None and unit == hazard_unit):
        return
    raise Forbidden(
        f"adding photos or documents needs one of the roles {', '.join(sorted(ATTACH_ROLES))}"
        " in scope"
    )


LOCATION_MAX = 200  # characters of Hazard.location


@dataclass(frozen=True)
class Place:
    """Where a hazard opened from an event is put: a known cell (its unit follows), or a
    unit, with the place as text when the ledger cannot name the cell yet."""

    unit_code: str
    cell_id: str | None
    location: str | None = None
    note: str | None = None  # appended to the description when the location cannot hold it


def drill_problem_place(unit_code: str, cell_id: str | None, cell_unit: str | None) -> Place:
    """Place a drill problem found in ``unit_code`` at ``cell_id``; ``cell_unit`` is the unit
    the ledger's grid projection gives the cell (None: the cell is not known there yet).

    Grid and education events arrive in any order, so education may name a cell the
    ledger has not heard of: the hazard then opens on the problem's unit without the cell
    (failing would only retry at once and dead-letter the problem), and the cell id is
    kept as text so nothing is lost."""
    if cell_id is None:
        return Place(unit_code, None)
    if cell_unit is not None:
        return Place(cell_unit, cell_id)
    location = f"网格位置 {cell_id}（隐患台账的网格副本尚无此位置）"
    if len(location) <= LOCATION_MAX:
        return Place(unit_code, None, location)
    return Place(
        unit_code, None, location[: LOCATION_MAX - 1] + "…", note=f"演练记录的网格位置：{cell_id}"
    )


def check_required(fields: Mapping[str, object], *names: str) -> None:
    missing = [name for name in names if not fields.get(name)]
    if missing:
        raise MissingInformation(
            f"{', '.join(missing)} required",
            invalid_params=[{"name": n, "reason": "required", "location": "json"} for n in missing],
        )


def number_year(found_at: datetime, campus_tz: str) -> int:
    """The numbering year is the calendar year on campus when the hazard was found."""
    return found_at.astimezone(ZoneInfo(campus_tz)).year


NUMBER_WIDTH = 5  # digits of the serial, at least


def number_prefix(year: int) -> str:
    return f"YH-{year}-"


def format_number(year: int, serial: int) -> str:
    """YH-2021-00042: unique and gap-free per year."""
    return f"{number_prefix(year)}{serial:0{NUMBER_WIDTH}d}"


def is_overdue(status: Status, deadline: date | None, today: date) -> bool:
    """A deadline is a campus calendar date: overdue from the day after it."""
    return (
        status in OPEN_STATUSES
        and status not in {Status.ACCEPTED}
        and (deadline is not None and today > deadline)
    )


def major_unresolved(
    severity: Severity, status: Status, found_at: datetime, now: datetime, days: int
) -> bool:
    """重大安全隐患悬而不决: a major hazard still open ``days`` after it was found."""
    return (
        severity == Severity.MAJOR
        and status in OPEN_STATUSES
        and status != Status.ACCEPTED
        and now - found_at >= timedelta(days=days)
    )
