"""Pure rules of the hazard ledger: the seven-stage closed loop, numbering, deadlines.

The loop (闭环管理) of the plan: 排查(发现) → 登记(评估) → 报告 → 治理(控制) → 验收 →
销号 → 备案存档. Acceptance may fail and send the hazard back to remediation (the
reopen count is kept). No I/O here: commands load the facts, ask these functions,
and persist what they decide.

Accountability (issue 12) charges each delay to the party that causes it:

- The unit answers for its deadline (限期整改) until it has rectified: a hazard rectified
  and awaiting acceptance (待验收) is never overdue for the unit (``UNIT_STAGES``).
- Acceptance (验收) is judged by someone outside the unit that did the work: a lead
  department of the hazard's category (co-leads alike), or the security office; a lead
  department never judges its own unit's hazard — the security office does. The unit's
  own manager therefore neither accepts nor rejects (``ACTION_ROLES``, ``check_judge``),
  and the acceptor a late acceptance is charged to (``acceptor_unit``) is always one who
  may accept: the first lead department that is not the hazard's unit, else the security
  office's unit. The acceptor has ``Policy.acceptance_working_days`` working days
  (Mon–Fri; public holidays are not known to the ledger) from the campus date of the
  rectification (``acceptance_due``).
- Extensions (延期) are decided by the same judges (``check_extension_decider``), and
  once the current deadline has passed only the security office asks for or decides one
  (``check_extension_request``): lateness that already ran cannot be laundered by a
  colleague, and the request records whether it was asked after the deadline. One request
  waits at a time (``check_no_pending_extension``), and it must still lengthen the deadline
  when it is decided (``check_extension_lengthens``).
- The deadline (限期) is first set at 登记评估; the loop's own steps may afterwards only keep
  it or bring it forward — a later one goes through an extension (``check_deadline_step``).
- Lateness is announced once per cause (``overdue_unannounced``,
  ``acceptance_late_unannounced``, ``major_unannounced``), by the sweep or, when a step would
  end it before the sweep saw it, by that step first: the fact stays on record.
- 重大安全隐患悬而不决 follows the plan: a hazard that cannot be fixed at once gets a
  rectification plan (整改计划, with its 时限 and interim 管控措施, recorded when
  remediation starts without ``quick_fix``), and a major hazard is judged against it once
  a judge has approved it (``plan_awaits_approval``; the unit does not approve its own
  plan), not against the day it was found. Unresolved is a major hazard its unit has not
  rectified that has no approved plan ``Policy.major_plan_days`` days after it was
  registered as major (``no_plan``: one that could be fixed at once would be rectified by
  then), or that is past its approved plan's deadline (``plan_overdue``) — see
  ``major_unresolved`` and ``approved_plan_deadline``.
- Severity is never changed silently (``check_severity_change``): old → new and the
  reason go into the history; only the security office lowers a major hazard.
- A finding date is a fact: never in the future beyond ``CLOCK_SKEW`` (``check_found_at``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared import hazard_stages as stages
from shared import timeutil, vocabulary
from shared.errors import DomainError, Forbidden
from shared.principal import GRID_STAFF, LEAD_DEPARTMENT, SECURITY_OFFICE, UNIT_MANAGER


class Status(StrEnum):
    """The loop's stages; names, labels and what each counts as are ``shared.hazard_stages``."""

    DISCOVERED = stages.DISCOVERED
    REGISTERED = stages.REGISTERED
    REPORTED = stages.REPORTED
    IN_REMEDIATION = stages.IN_REMEDIATION
    RECTIFIED = stages.RECTIFIED
    ACCEPTED = stages.ACCEPTED
    CLOSED = stages.CLOSED
    ARCHIVED = stages.ARCHIVED


STATUS_LABELS = {Status(stage): label for stage, label in stages.STAGE_LABELS.items()}
OPEN_STATUSES = frozenset(Status(stage) for stage in stages.OPEN)
# The stages in which the hazard's unit still owes the fix (its deadline runs).
UNIT_STAGES = frozenset(Status(stage) for stage in stages.UNIT_OWES)


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
    # 验收 is judged from outside the unit (check_judge): never its own manager.
    Action.ACCEPT: frozenset({SECURITY_OFFICE, LEAD_DEPARTMENT}),
    Action.REJECT: frozenset({SECURITY_OFFICE, LEAD_DEPARTMENT}),
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

# The words of each entry of a hazard's history (``HazardTransition.action``): the loop's
# actions and what is recorded beside them (the report, plan approval, an extension, a
# severity change, lateness announced). Served by GET /labels; the console shows them.
ACTION_LABELS: dict[str, str] = {
    "create": "上报",
    Action.REGISTER: "登记评估",
    Action.REPORT: "报告",
    Action.START_REMEDIATION: "开始整改",
    Action.RECTIFY: "整改完成",
    Action.ACCEPT: "验收通过",
    Action.REJECT: "验收不通过",
    Action.CLOSE: "销号",
    Action.ARCHIVE: "备案存档",
    "approve_plan": "批准整改计划",
    "extend": "延期",
    "change_severity": "调整隐患等级",
    "overdue": "逾期",
    "acceptance_overdue": "验收逾期",
    "major_unresolved": "重大安全隐患悬而不决",
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


class DeadlinePushedOut(DomainError):
    status = 422
    title = "整改期限只能通过延期申请推后"


def check_deadline_step(current: date | None, new: date | None) -> None:
    """登记评估 sets the first deadline; afterwards the loop's steps (registration over a
    deadline given when reported, the start of remediation) may keep it or bring it
    forward, never push it out: a later deadline is an extension (延期申请), judged outside
    the unit, or a unit could move its own deadline past the day it is late."""
    if current is None or new is None or new <= current:
        return
    reason = f"整改期限只能通过延期申请推后（现为 {current}）"
    raise DeadlinePushedOut(
        f"the deadline {current} cannot be moved to {new} by this step: {reason}",
        invalid_params=[{"name": "deadline", "reason": reason, "location": "json"}],
    )


def is_overdue(status: Status, deadline: date | None, today: date) -> bool:
    """The unit is late: its deadline (a campus calendar date) is past — overdue from the
    day after it — and it has not rectified yet (awaiting acceptance is not its time)."""
    return status in UNIT_STAGES and deadline_passed(deadline, today)


# -- issue 12: who answers for each delay -------------------------------------------------
@dataclass(frozen=True)
class Policy:
    """The configurable parts of the rules (shared.config.Settings supplies them)."""

    campus_tz: str = "Asia/Shanghai"
    acceptance_working_days: int = 3
    major_plan_days: int = 7
    security_office_unit: str = "BWC"


# One home for "a finding date is a fact" (hazards, inspections, drill problems).
CLOCK_SKEW, FutureDate = timeutil.CLOCK_SKEW, timeutil.FutureDate
check_found_at = timeutil.check_not_future


def add_working_days(start: date, days: int) -> date:
    """The day ``days`` working days (Monday to Friday) after ``start``: rectified on a
    Friday with 3 days, due the next Wednesday. Public holidays are not known here."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def acceptor_unit(leads: Iterable[str], hazard_unit: str, security_office_unit: str) -> str:
    """Who is expected to accept (验收), and is charged with a late acceptance: the first
    lead department of the hazard that is not the hazard's own unit, else the security
    office (it accepts a lead department's own hazards)."""
    return next((lead for lead in leads if lead != hazard_unit), security_office_unit)


def acceptance_flagged(status: str, reopen_count: int, notified_round: int | None) -> bool:
    """Announced late for acceptance in this rectification round and still awaiting it."""
    return status == Status.RECTIFIED and notified_round == reopen_count


def may_judge(
    roles: Iterable[str], unit: str | None, hazard_unit: str, leads: Iterable[str]
) -> bool:
    """Who judges a unit's work on a hazard (验收, extensions): the security office on any
    hazard; a lead department of the hazard's category on another unit's hazard."""
    held = set(roles)
    if SECURITY_OFFICE in held:
        return True
    return LEAD_DEPARTMENT in held and unit is not None and unit != hazard_unit and unit in leads


def check_judge(
    roles: Iterable[str], unit: str | None, hazard_unit: str, leads: Iterable[str], what: str
) -> None:
    if not may_judge(roles, unit, hazard_unit, leads):
        raise Forbidden(
            f"{what} is decided by the security office or a lead department of the hazard's "
            "category, never by the hazard's own unit"
        )


def deadline_passed(deadline: date | None, today: date) -> bool:
    return deadline is not None and today > deadline


def check_extension_request(roles: Iterable[str], deadline: date | None, today: date) -> bool:
    """An extension is asked before the deadline; once it has passed only the security
    office asks (lateness that ran stays). Returns whether it is asked after the deadline."""
    late = deadline_passed(deadline, today)
    if late and SECURITY_OFFICE not in set(roles):
        raise Forbidden(
            f"the deadline {deadline} has passed: only the security office may ask for an "
            "extension now"
        )
    return late


class ExtensionConflict(DomainError):
    status = 409
    title = "Extension conflict"


def check_no_pending_extension(pending_id: str | None, pending_deadline: date | None) -> None:
    """One extension request waits at a time: a second one would be decided against a
    deadline the first may already have moved."""
    if pending_id is not None:
        raise ExtensionConflict(
            f"extension request {pending_id} (to {pending_deadline}) is still pending: it is "
            "decided first (一次只能有一份待审批的延期申请)",
            pending_request_id=pending_id,
        )


def check_extension_lengthens(requested: date, current: date | None, field: str | None) -> None:
    """An extension moves the deadline later: when asked, and again when decided (the
    deadline may have moved since, e.g. brought forward) — approving never shortens it.
    ``field`` names the request's field, when there is one to name."""
    if current is None or requested > current:
        return
    reason = f"not after the current deadline ({current})"
    extra: dict[str, object] = {
        "current_deadline": current.isoformat(),
        "requested_deadline": requested.isoformat(),
    }
    if field:
        extra["invalid_params"] = [{"name": field, "reason": reason, "location": "json"}]
    raise ExtensionConflict(f"the requested deadline {requested} is {reason}", **extra)


def check_extension_decider(
    roles: Iterable[str],
    unit: str | None,
    hazard_unit: str,
    leads: Iterable[str],
    deadline: date | None,
    today: date,
) -> None:
    """The judges decide an extension (never the hazard's own unit); once the current
    deadline has passed, only the security office."""
    check_judge(roles, unit, hazard_unit, leads, "an extension")
    if deadline_passed(deadline, today) and SECURITY_OFFICE not in set(roles):
        raise Forbidden(
            f"the deadline {deadline} has passed: only the security office may decide an "
            "extension now"
        )


class SameSeverity(DomainError):
    status = 422
    title = "Severity unchanged"


def check_severity_change(
    roles: Iterable[str],
    unit: str | None,
    hazard_unit: str,
    leads: Iterable[str],
    old: Severity,
    new: Severity,
) -> None:
    """No silent downgrade: only the security office lowers a major hazard to general; a
    hazard is raised to major by the security office, the unit's manager or a lead
    department of its category."""
    if old == new:
        raise SameSeverity(
            f"the hazard is already {SEVERITY_LABELS[new]}",
            invalid_params=[
                {"name": "severity", "reason": "is the current severity", "location": "json"}
            ],
        )
    held = set(roles)
    if SECURITY_OFFICE in held:
        return
    if old == Severity.MAJOR:
        raise Forbidden("only the security office lowers a major hazard (重大隐患) to general")
    if (UNIT_MANAGER in held and unit == hazard_unit) or (
        LEAD_DEPARTMENT in held and unit is not None and unit in leads
    ):
        return
    raise Forbidden(
        "raising a hazard to major needs the security office, the unit's manager or a lead "
        "department of its category"
    )


def severity_comment(old: Severity, new: Severity, reason: str) -> str:
    """What the history says: 一般隐患 → 重大隐患：<reason>."""
    return f"{SEVERITY_LABELS[old]} → {SEVERITY_LABELS[new]}：{reason}"


class MajorUnresolved(StrEnum):
    NO_PLAN = "no_plan"  # no approved rectification plan in time
    PLAN_OVERDUE = "plan_overdue"  # past the approved plan's deadline


def major_unresolved(
    severity: Severity,
    status: Status,
    major_since: date | None,
    plan_deadline: date | None,
    today: date,
    plan_days: int,
) -> MajorUnresolved | None:
    """重大安全隐患悬而不决, judged against the approved rectification plan (整改计划):
    a major hazard its unit has not rectified that, more than ``plan_days`` days after the
    campus date it was registered as major (``major_since``), has no approved plan; or that
    is past its approved plan's deadline (``plan_deadline``: ``approved_plan_deadline``).
    None when neither holds (or before registration)."""
    if severity != Severity.MAJOR or status not in UNIT_STAGES:
        return None
    if plan_deadline is None:
        if major_since is not None and today > major_since + timedelta(days=plan_days):
            return MajorUnresolved.NO_PLAN
        return None
    return MajorUnresolved.PLAN_OVERDUE if today > plan_deadline else None


def approved_plan_deadline(plan_deadline: date | None, approved_at: datetime | None) -> date | None:
    """The deadline a major hazard is judged against: its plan's, once approved."""
    return plan_deadline if approved_at is not None else None


def plan_awaits_approval(
    status: str, plan_deadline: date | None, approved_at: datetime | None
) -> bool:
    """A rectification plan (整改计划) written at the start of remediation, not yet approved
    by a judge (``check_judge``), while the unit still owes the fix."""
    return status in UNIT_STAGES and plan_deadline is not None and approved_at is None


def check_plan_approval(
    status: str,
    plan_deadline: date | None,
    approved_at: datetime | None,
    approver: str,
    author: str | None,
) -> None:
    """Approve only a plan that awaits approval, and never one's own plan."""
    if not plan_awaits_approval(status, plan_deadline, approved_at):
        detail = (
            "the rectification plan (整改计划) is already approved"
            if approved_at is not None
            else "no rectification plan (整改计划) awaits approval"
        )
        raise InvalidTransition(detail, current_status=str(status))
    if author is not None and approver == author:
        raise SameActor("the person who wrote a rectification plan cannot approve it")


def overdue_unannounced(
    status: Status, deadline: date | None, notified_for: date | None, today: date
) -> bool:
    """The unit is late on its current deadline and that was not announced yet."""
    return is_overdue(status, deadline, today) and notified_for != deadline


def acceptance_late_unannounced(
    status: Status,
    acceptance_due: date | None,
    reopen_count: int,
    notified_round: int | None,
    today: date,
) -> bool:
    """The acceptor is past its due date in this round, not announced yet."""
    return (
        status == Status.RECTIFIED
        and deadline_passed(acceptance_due, today)
        and notified_round != reopen_count
    )


def major_unannounced(
    reason: MajorUnresolved | None,
    no_plan_notified: bool,
    plan_deadline: date | None,
    plan_overdue_notified_for: date | None,
) -> MajorUnresolved | None:
    """The 悬而不决 cause ``reason`` if not announced yet: no plan once, past the plan's
    deadline once per plan deadline."""
    if reason == MajorUnresolved.NO_PLAN and not no_plan_notified:
        return reason
    if reason == MajorUnresolved.PLAN_OVERDUE and plan_overdue_notified_for != plan_deadline:
        return reason
    return None


def major_reason_in_force(
    severity: str,
    status: str,
    plan_deadline: date | None,
    no_plan_notified: bool,
    plan_overdue_notified_for: date | None,
) -> str | None:
    """The reason the hazard was announced 悬而不决, while it still holds (a plan since
    approved ends ``no_plan``; a moved plan deadline ends ``plan_overdue``).
    ``plan_deadline`` is the approved plan's (``approved_plan_deadline``)."""
    if severity != Severity.MAJOR or status not in UNIT_STAGES:
        return None
    if plan_deadline is None:
        return MajorUnresolved.NO_PLAN.value if no_plan_notified else None
    if plan_overdue_notified_for == plan_deadline:
        return MajorUnresolved.PLAN_OVERDUE.value
    return None
