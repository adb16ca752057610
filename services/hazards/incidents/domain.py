"""Pure rules of the incidents ledger (安全事故/事件).

Severity follows the national grading of accidents (《生产安全事故报告和调查处理条例》):
一般、较大、重大、特别重大. The campaign's goal 「无重大安全事故」 counts the incidents graded
重大 or 特别重大 that happened (a near miss, 未遂事件, hurt nobody and is never one).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from services.hazards.registers.domain import invalid
from shared.errors import DomainError

SOURCE = "incident"  # the hazard ledger's source of the hazards an incident revealed


class IncidentKind(StrEnum):
    FIRE = "fire"
    TRAFFIC = "traffic"
    LABORATORY = "laboratory"
    FOOD_POISONING = "food_poisoning"
    INJURY = "injury"
    DROWNING = "drowning"
    VIOLENCE = "violence"
    THEFT = "theft"
    NATURAL = "natural"
    OTHER = "other"


KIND_LABELS = {
    IncidentKind.FIRE: "火灾",
    IncidentKind.TRAFFIC: "交通事故",
    IncidentKind.LABORATORY: "实验室安全事故",
    IncidentKind.FOOD_POISONING: "食物中毒",
    IncidentKind.INJURY: "意外伤害",
    IncidentKind.DROWNING: "溺水",
    IncidentKind.VIOLENCE: "暴力伤害",
    IncidentKind.THEFT: "盗窃",
    IncidentKind.NATURAL: "自然灾害",
    IncidentKind.OTHER: "其他",
}


class IncidentSeverity(StrEnum):
    GENERAL = "general"  # 一般
    LARGER = "larger"  # 较大
    MAJOR = "major"  # 重大
    ESPECIALLY_MAJOR = "especially_major"  # 特别重大


SEVERITY_LABELS = {
    IncidentSeverity.GENERAL: "一般",
    IncidentSeverity.LARGER: "较大",
    IncidentSeverity.MAJOR: "重大",
    IncidentSeverity.ESPECIALLY_MAJOR: "特别重大",
}
MAJOR_SEVERITIES = frozenset({IncidentSeverity.MAJOR, IncidentSeverity.ESPECIALLY_MAJOR})


class AlreadyFound(DomainError):
    status = 409
    title = "Conflict"


def is_major(severity: str, near_miss: bool) -> bool:
    """A major incident (重大及以上) that happened: what 「无重大安全事故」 counts."""
    return not near_miss and severity in MAJOR_SEVERITIES


def check_occurred_at(occurred_at: datetime, now: datetime) -> None:
    if occurred_at > now:
        raise invalid("occurred_at", "晚于当前时间")


def check_casualties(near_miss: bool, deaths: int, injuries: int) -> None:
    """A near miss (未遂事件) hurt nobody: with casualties it is an incident."""
    if near_miss and (deaths or injuries):
        raise invalid("near_miss", "有人员伤亡的不是未遂事件")


def check_open(found_on: date | None) -> None:
    """After the finding of responsibility the record is closed: what it found stands."""
    if found_on is not None:
        raise AlreadyFound(f"该事故已于 {found_on} 作出责任认定，不能再修改")


def check_report_entry(told_at: datetime, occurred_at: datetime, now: datetime) -> None:
    """Who was told, when: after the incident, not in the future."""
    if told_at < occurred_at:
        raise invalid("told_at", "早于事故发生时间")
    if told_at > now:
        raise invalid("told_at", "晚于当前时间")


def check_finding(found_on: date, occurred_on: date, today: date) -> None:
    if found_on < occurred_on:
        raise invalid("found_on", f"早于事故发生日期（{occurred_on}）")
    if found_on > today:
        raise invalid("found_on", f"晚于今天（{today}）")


def finding_cell(place_unit: str, cell_id: str, responsible_unit: str) -> str | None:
    """Where the flag looks for the person who answered: the incident's place when the unit
    found responsible is the place's; another unit answers by its own head (no place)."""
    return cell_id if responsible_unit == place_unit else None


def revealed_ref(incident_id: str, position: int) -> str:
    """The source_ref of the ``position``-th hazard an incident revealed: the hazard ledger's
    unique (source, source_ref) makes opening it twice impossible."""
    return f"{incident_id}:{position}"


def incident_of(source: str, source_ref: str | None) -> str | None:
    """The incident a hazard was opened from (its source_ref's first part), if any."""
    if source != SOURCE or not source_ref:
        return None
    return source_ref.rsplit(":", 1)[0]
