"""The closed loop (闭环管理): its stages, its actions, which action leads where, who may
take it, and what each step needs before it may be taken.

排查(发现) → 登记(评估) → 报告 → 治理(控制) → 验收 → 销号 → 备案存档. Acceptance may fail and
send the hazard back to remediation (the reopen count is kept).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from shared import hazard_stages as stages
from shared.errors import DomainError, Forbidden
from shared.principal import (
    GRID_STAFF,
    LEAD_DEPARTMENT,
    SECURITY_OFFICE,
    UNIT_MANAGER,
    role_names,
)


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
    GENERAL = stages.GENERAL  # 一般隐患
    MAJOR = stages.MAJOR  # 重大隐患


SEVERITY_LABELS = {Severity(code): label for code, label in stages.SEVERITY_LABELS.items()}


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

# What the history records beside the loop's actions (``HazardTransition.action``).
CREATE, APPROVE_PLAN, EXTEND, CHANGE_SEVERITY = (
    "create",
    "approve_plan",
    "extend",
    "change_severity",
)

# The words of each entry of a hazard's history (``HazardTransition.action``): the loop's
# actions and what is recorded beside them (the report, plan approval, an extension, a
# severity change, lateness announced). Served by GET /labels; the console shows them.
ACTION_LABELS: dict[str, str] = {
    CREATE: "上报",
    Action.REGISTER: "登记评估",
    Action.REPORT: "报告",
    Action.START_REMEDIATION: "开始整改",
    Action.RECTIFY: "整改完成",
    Action.ACCEPT: "验收通过",
    Action.REJECT: "验收不通过",
    Action.CLOSE: "销号",
    Action.ARCHIVE: "备案存档",
    APPROVE_PLAN: "批准整改计划",
    EXTEND: "延期",
    CHANGE_SEVERITY: "调整隐患等级",
    "overdue": "逾期",
    "acceptance_overdue": "验收逾期",
    "major_unresolved": "重大安全隐患悬而不决",
}


class InvalidTransition(DomainError):
    status = 409
    title = "Invalid transition"


class MissingInformation(DomainError):
    status = 422
    title = "Missing information"


class SameActor(DomainError):
    status = 409
    title = "Acceptor must differ from rectifier"


class HazardArchived(DomainError):
    status = 409
    title = "Archived"


def check_not_archived(current: Status) -> None:
    if current == Status.ARCHIVED:
        raise HazardArchived("已备案存档的隐患不能再更改")


def next_status(current: Status, action: Action) -> Status:
    """The stage ``action`` leads to from ``current``, or 409 if the loop forbids it."""
    check_not_archived(current)
    sources, target = TRANSITIONS[action]
    if current not in sources:
        raise InvalidTransition(
            f"隐患处于「{STATUS_LABELS[current]}」（{current.value}）阶段，不能「{ACTION_LABELS[action]}」",
            current_status=current.value,
            allowed_actions=allowed_actions(current),
        )
    return target


def allowed_actions(current: Status) -> list[str]:
    return sorted(a.value for a, (src, _) in TRANSITIONS.items() if current in src)


def check_open(current: Status) -> None:
    """Re-grading, plan approval and extensions change only an open hazard: otherwise the
    409 a step of the loop would get."""
    if current not in OPEN_STATUSES:
        next_status(current, Action.REGISTER)


# -- what a step needs --------------------------------------------------------------------
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
            "开始整改须先四落实（责任人、整改措施、整改期限、应急预案）"
            + ("" if plan.get("quick_fix", True) else "，并有整改方案和临时管控措施"),
            invalid_params=[
                {"name": name, "reason": "开始整改须填写", "location": "json"} for name in missing
            ],
        )


def check_required(fields: Mapping[str, object], *names: str) -> None:
    missing = [name for name in names if not fields.get(name)]
    if missing:
        raise MissingInformation(
            f"须填写：{'、'.join(missing)}",
            invalid_params=[{"name": n, "reason": "必填", "location": "json"} for n in missing],
        )


# -- who acts -----------------------------------------------------------------------------
def check_acceptor(acceptor: str, rectifiers: Iterable[str]) -> None:
    """The person who accepts (验收) is never the person who rectified: ``rectifiers`` is
    everyone who ever rectified the hazard (every round, not only the last one — after a
    rejection someone else may rectify, and the first rectifier still may not judge the
    work). The acceptance review decides both ways, so this holds for rejecting too."""
    if acceptor in set(rectifiers):
        raise SameActor("整改人不能验收自己整改的隐患")


def may_judge(
    roles: Iterable[str], unit: str | None, hazard_unit: str, leads: Iterable[str]
) -> bool:
    """Who judges a unit's work on a hazard (验收, extensions, plan approval): the security
    office on any hazard; a lead department of the hazard's category on another unit's."""
    held = set(roles)
    if SECURITY_OFFICE in held:
        return True
    return LEAD_DEPARTMENT in held and unit is not None and unit != hazard_unit and unit in leads


def check_judge(
    roles: Iterable[str], unit: str | None, hazard_unit: str, leads: Iterable[str], what: str
) -> None:
    if not may_judge(roles, unit, hazard_unit, leads):
        raise Forbidden(f"{what}由安全保卫处或该隐患类别的牵头部门决定，隐患所在单位不能自行决定")


# What a judge decides, as the refusal names it.
ACCEPTANCE = "验收"
PLAN_APPROVAL = "整改计划的批准"


def check_uploader(roles: Iterable[str], unit: str | None, hazard_unit: str) -> None:
    """Adding a photo or document is acting on the hazard (ATTACH_ROLES): the security
    office on any hazard, a unit manager or grid staff only on their own unit's. Seeing a
    hazard is not enough: leadership and lead departments read its files but add none."""
    held = set(roles) & ATTACH_ROLES
    if SECURITY_OFFICE in held or (held and unit is not None and unit == hazard_unit):
        return
    raise Forbidden(f"添加照片或文件须由本范围内的以下角色之一办理：{role_names(ATTACH_ROLES)}")
