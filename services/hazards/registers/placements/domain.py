"""Pure rules of the placement register (实训实习、校外社会实践).

A placement may start only with the host's safety agreement (安全协议) on file, an insurance
policy covering its dates (保险) and a pre-departure safety briefing (行前安全教育) held before
it starts. What is missing is named, field by field, in the refusal (409) and in the hazard
the due sweep opens when the start date arrives without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from services.hazards.registers.domain import invalid
from shared.errors import DomainError

PLACEMENT_CATEGORY = "education"  # (六) 安全教育: its sub-category names this register
PLACEMENT_SUBCATEGORY = "practice_safety"  # 实训实习和校外社会实践安全
DUE_SOON_DAYS = 14  # the due list shows placements starting within two weeks


class PlacementKind(StrEnum):
    TRAINING = "training"  # 校外实训
    INTERNSHIP = "internship"  # 顶岗/跟岗实习
    SOCIAL_PRACTICE = "social_practice"  # 校外社会实践


PLACEMENT_KIND_LABELS = {
    PlacementKind.TRAINING: "校外实训",
    PlacementKind.INTERNSHIP: "实习",
    PlacementKind.SOCIAL_PRACTICE: "校外社会实践",
}


class PlacementStatus(StrEnum):
    PLANNED = "planned"  # 待出发
    UNDER_WAY = "under_way"  # 进行中
    FINISHED = "finished"  # 已结束
    CANCELLED = "cancelled"  # 已取消


PLACEMENT_STATUS_LABELS = {
    PlacementStatus.PLANNED: "待出发",
    PlacementStatus.UNDER_WAY: "进行中",
    PlacementStatus.FINISHED: "已结束",
    PlacementStatus.CANCELLED: "已取消",
}


class DueState(StrEnum):
    BLOCKED = "blocked"  # 开始日期已到，条件不全
    DUE_SOON = "due_soon"  # 两周内开始，条件不全
    READY = "ready"  # 条件齐全
    NONE = "none"  # 已开始、已结束或已取消


DUE_STATE_LABELS = {
    DueState.BLOCKED: "已到开始日期但条件不全",
    DueState.DUE_SOON: "即将开始但条件不全",
    DueState.READY: "出发条件齐全",
    DueState.NONE: "无",
}

# What a start needs, by the field that records it, and how a person calls it.
REQUIREMENT_LABELS = {
    "agreement": "接收单位安全协议",
    "insurance": "覆盖实训实习期间的保险",
    "briefing": "行前安全教育",
}


@dataclass(frozen=True)
class Readiness:
    """What the start rule reads of a placement."""

    starts_on: date
    ends_on: date
    has_agreement: bool
    insurance_policy_no: str | None
    insurance_from: date | None
    insurance_to: date | None
    briefing_activity_id: str | None
    briefing_held_on: date | None


class PlacementNotReady(DomainError):
    """A start without agreement, insurance or briefing: 409 naming each missing one."""

    status = 409
    title = "Conflict"


class PlacementStateConflict(DomainError):
    status = 409
    title = "Conflict"


def check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise invalid("ends_on", "不能早于开始日期")


def check_insurance_dates(insurance_from: date | None, insurance_to: date | None) -> None:
    if insurance_from and insurance_to and insurance_to < insurance_from:
        raise invalid("insurance_to", "不能早于保险起始日期")


def check_students(student_count: int | None, students: list[str] | None) -> None:
    """A count alone is allowed (the list kept elsewhere); with a list they must agree."""
    if student_count is not None and students and len(students) != student_count:
        raise invalid("student_count", f"与学生名单人数（{len(students)}）不一致")


def missing_for_start(r: Readiness) -> list[str]:
    """The requirements a start still lacks, in REQUIREMENT_LABELS order."""
    missing = []
    if not r.has_agreement:
        missing.append("agreement")
    covered = (
        r.insurance_policy_no
        and r.insurance_from is not None
        and r.insurance_to is not None
        and r.insurance_from <= r.starts_on
        and r.insurance_to >= r.ends_on
    )
    if not covered:
        missing.append("insurance")
    if not (r.briefing_activity_id and r.briefing_held_on and r.briefing_held_on <= r.starts_on):
        missing.append("briefing")
    return missing


def missing_labels(missing: list[str]) -> str:
    return "、".join(REQUIREMENT_LABELS[m] for m in missing)


def check_can_start(status: str, missing: list[str], title: str) -> None:
    if status != PlacementStatus.PLANNED:
        label = PLACEMENT_STATUS_LABELS[PlacementStatus(status)]
        raise PlacementStateConflict(f"{title}当前为{label}，不能开始")
    if missing:
        raise PlacementNotReady(
            f"{title}不能开始：缺少{missing_labels(missing)}",
            invalid_params=[
                {"name": m, "reason": f"缺少{REQUIREMENT_LABELS[m]}", "location": "json"}
                for m in missing
            ],
        )


def check_can_finish(status: str, title: str) -> None:
    if status != PlacementStatus.UNDER_WAY:
        label = PLACEMENT_STATUS_LABELS[PlacementStatus(status)]
        raise PlacementStateConflict(f"{title}当前为{label}，不能结束")


def due_state(status: str, starts_on: date, missing: list[str], today: date) -> DueState:
    if status != PlacementStatus.PLANNED:
        return DueState.NONE
    if not missing:
        return DueState.READY
    if starts_on <= today:
        return DueState.BLOCKED
    if (starts_on - today).days <= DUE_SOON_DAYS:
        return DueState.DUE_SOON
    return DueState.NONE  # far off: not on the due list yet


def needs_start_hazard(status: str, starts_on: date, missing: list[str], today: date) -> bool:
    """The start date arrived and the placement still lacks what a start needs."""
    return status == PlacementStatus.PLANNED and starts_on <= today and bool(missing)


def needs_insurance_hazard(status: str, insurance_to: date | None, today: date) -> bool:
    """A placement under way whose insurance ran out (投保期满仍在岗)."""
    return status == PlacementStatus.UNDER_WAY and insurance_to is not None and insurance_to < today


def start_hazard_ref(placement_id: str, starts_on: date) -> str:
    return f"{placement_id}:start:{starts_on.isoformat()}"


def insurance_hazard_ref(placement_id: str, insurance_to: date) -> str:
    return f"{placement_id}:insurance:{insurance_to.isoformat()}"


def start_hazard_description(title: str, host: str, starts_on: date, missing: list[str]) -> str:
    return (
        f"实训实习“{title}”（接收单位 {host}）已于 {starts_on} 到开始日期，"
        f"仍缺少{missing_labels(missing)}，不得组织学生出发"
    )


def insurance_hazard_description(title: str, host: str, insurance_to: date) -> str:
    return f"实训实习“{title}”（接收单位 {host}）进行中，保险已于 {insurance_to} 到期，须立即续保"
