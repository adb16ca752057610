"""Pure rules of the hazard ledger: stages, categories, numbering. No I/O here.

The seven-stage closed loop (闭环管理) of the plan: 排查(发现) → 登记(评估) → 报告 →
治理(控制) → 验收 → 销号 → 备案存档. The full transition table with its guards arrives
with the hazard-ledger issue; until then the security office may close out (销号) a
hazard from any open stage, and closed or archived hazards refuse further changes.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.errors import DomainError


class Status(StrEnum):
    DISCOVERED = "discovered"  # 排查(发现)
    REGISTERED = "registered"  # 登记(评估)
    REPORTED = "reported"  # 报告
    IN_REMEDIATION = "in_remediation"  # 治理(控制)
    RECTIFIED = "rectified"  # 整改完成, awaiting 验收
    ACCEPTED = "accepted"  # 验收通过
    CLOSED = "closed"  # 销号
    ARCHIVED = "archived"  # 备案存档


OPEN_STATUSES = frozenset(Status) - {Status.CLOSED, Status.ARCHIVED}


class Severity(StrEnum):
    GENERAL = "general"  # 一般隐患
    MAJOR = "major"  # 重大隐患


# Categories follow the plan's focus areas (整治重点); code -> Chinese label.
CATEGORIES: dict[str, str] = {
    "responsibility": "责任落实",
    "grid": "网格管理",
    "prevention": "安全防控",
    "public_security": "治安安全",
    "crime_prevention": "涉校违法犯罪防范",
    "education": "安全教育和心理健康教育",
    "fire": "消防安全",
    "traffic": "通勤车及交通安全",
    "food": "食品安全",
    "lab_chemicals": "实验实训室危化品",
    "special_equipment": "特种设备",
    "construction": "建筑与施工安全",
    "political": "政治安全",
}


class InvalidTransition(DomainError):
    status = 409
    title = "Invalid transition"


def ensure_can_close(status: Status) -> Status:
    """Return the stage after close-out, or refuse when the hazard is already closed."""
    if status not in OPEN_STATUSES:
        raise InvalidTransition(
            f"hazard is {status.value}; only an open hazard can be closed out",
            current_status=status.value,
        )
    return Status.CLOSED


def number_year(found_at: datetime, campus_tz: str) -> int:
    """The numbering year is the calendar year on campus when the hazard was found."""
    return found_at.astimezone(ZoneInfo(campus_tz)).year


def format_number(year: int, serial: int) -> str:
    """YH-2021-00042: unique and gap-free per year."""
    return f"YH-{year}-{serial:05d}"
