"""Pure rules of the three registers: risk grading, daily-inspection results, coverage,
special-equipment due dates. No Flask, no SQLAlchemy: commands load the facts, ask these
functions, and persist what they decide.

Risk grading (安全风险辨识评估, plan task 三) — the LS method (风险矩阵法):

    R = L × S
    L  likelihood (可能性)          1 极不可能 · 2 不太可能 · 3 可能 · 4 很可能 · 5 经常发生
    S  severity / consequence (后果) 1 轻微 · 2 较小 · 3 一般 · 4 严重 · 5 灾难性（群死群伤）

    R ≥ 20        重大风险  red     (the only products: 20, 25)
    15 ≤ R ≤ 19   较大风险  orange  (15, 16)
    9 ≤ R ≤ 14    一般风险  yellow  (9, 10, 12)
    R ≤ 8         低风险    blue    (1 … 8)

The four colours are the usual Chinese grading (四色分级); a place's risk announcement
(风险公告) lists its points from red to blue.

Daily inspection (日检查, task 七): an inspection answers every item of its checklist
template exactly once with pass / fail / na; each failed item becomes one hazard.

Coverage: a place (grid cell of level ≥ 3) is covered for a campus day or ISO week when at
least one inspection of it was recorded on a campus date inside that period.

Special equipment (特种设备, task 十): the next periodic inspection (定期检验) date is a campus
calendar date; equipment in use is overdue from the day after it. TSG rules ask the user
to apply for the inspection one month before it falls due, hence the 30-day "due soon".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.errors import DomainError
from shared.fields import EARLIEST, LATEST


class InvalidInput(DomainError):
    """A business-rule validation failure that names the offending fields (422)."""

    status = 422
    title = "Unprocessable Entity"


def invalid(name: str, reason: str, detail: str | None = None) -> InvalidInput:
    return InvalidInput(
        detail or f"{name}: {reason}",
        invalid_params=[{"name": name, "reason": reason, "location": "json"}],
    )


# -- risk grading -------------------------------------------------------------------------
class RiskLevel(StrEnum):
    RED = "red"  # 重大风险
    ORANGE = "orange"  # 较大风险
    YELLOW = "yellow"  # 一般风险
    BLUE = "blue"  # 低风险


RISK_LEVEL_LABELS = {
    RiskLevel.RED: "重大风险",
    RiskLevel.ORANGE: "较大风险",
    RiskLevel.YELLOW: "一般风险",
    RiskLevel.BLUE: "低风险",
}
RISK_COLOUR_LABELS = {
    RiskLevel.RED: "红",
    RiskLevel.ORANGE: "橙",
    RiskLevel.YELLOW: "黄",
    RiskLevel.BLUE: "蓝",
}
# Announcement order: the most serious first.
RISK_LEVEL_ORDER = (RiskLevel.RED, RiskLevel.ORANGE, RiskLevel.YELLOW, RiskLevel.BLUE)
LS_RANGE = range(1, 6)


def risk_score(likelihood: int, severity: int) -> int:
    """R = L × S; both factors are graded 1–5 (422 naming the factor otherwise)."""
    for name, value in (("likelihood", likelihood), ("severity", severity)):
        if isinstance(value, bool) or not isinstance(value, int) or value not in LS_RANGE:
            raise invalid(name, "must be an integer from 1 to 5")
    return likelihood * severity


def level_for_score(score: int) -> RiskLevel:
    if score >= 20:
        return RiskLevel.RED
    if score >= 15:
        return RiskLevel.ORANGE
    if score >= 9:
        return RiskLevel.YELLOW
    return RiskLevel.BLUE


def risk_level(likelihood: int, severity: int) -> RiskLevel:
    return level_for_score(risk_score(likelihood, severity))


def announcement_key(level: str, score: int, name: str) -> tuple[int, int, str]:
    """Red → blue, then the higher score first, then by name (stable boards)."""
    return (RISK_LEVEL_ORDER.index(RiskLevel(level)), -score, name)


def colour_counts(levels: Iterable[str]) -> dict[str, int]:
    counts = {level.value: 0 for level in RISK_LEVEL_ORDER}
    for level in levels:
        counts[RiskLevel(level).value] += 1
    return counts


def highest_level(levels: Iterable[str]) -> RiskLevel | None:
    present = {RiskLevel(level) for level in levels}
    return next((level for level in RISK_LEVEL_ORDER if level in present), None)


# -- checklists and inspection results ----------------------------------------------------
class ItemResult(StrEnum):
    PASS = "pass"  # 合格
    FAIL = "fail"  # 不合格
    NA = "na"  # 不适用


ITEM_RESULT_LABELS = {ItemResult.PASS: "合格", ItemResult.FAIL: "不合格", ItemResult.NA: "不适用"}
# An item code ends up in a hazard's source_ref "<inspection id>:<code>" (64 characters).
ITEM_CODE = re.compile(r"^[A-Za-z0-9_-]{1,24}$")


@dataclass(frozen=True)
class ItemOutcome:
    position: int
    code: str
    text: str
    result: ItemResult
    note: str | None


def duplicate_codes(codes: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    duplicates: list[str] = []
    for code in codes:
        if code in seen and code not in duplicates:
            duplicates.append(code)
        seen.add(code)
    return duplicates


def evaluate_results(
    items: Sequence[Mapping[str, str]], answers: Sequence[Mapping[str, object]]
) -> list[ItemOutcome]:
    """Match answers to the template's items: each item answered exactly once.

    Returns the outcomes in the template's order; raises 422 naming the first offending
    answers (unknown or repeated codes) or the items left unanswered.
    """
    texts = {item["code"]: item["text"] for item in items}
    problems: list[dict[str, str]] = []
    given: dict[str, Mapping[str, object]] = {}
    for index, answer in enumerate(answers):
        code = str(answer["code"])
        if code not in texts:
            problems.append(_param(f"results.{index}.code", f"{code!r} is not an item of it"))
        elif code in given:
            problems.append(_param(f"results.{index}.code", f"{code!r} answered twice"))
        else:
            given[code] = answer
    missing = [code for code in texts if code not in given]
    if missing:
        problems.append(_param("results", f"no result for items: {', '.join(missing)}"))
    if problems:
        raise InvalidInput(
            "the results must answer every item of the checklist exactly once",
            invalid_params=problems,
        )
    return [
        ItemOutcome(
            position=position,
            code=code,
            text=texts[code],
            result=ItemResult(str(given[code]["result"])),
            note=_note(given[code].get("note")),
        )
        for position, code in enumerate(texts)
    ]


def _param(name: str, reason: str) -> dict[str, str]:
    return {"name": name, "reason": reason, "location": "json"}


def _note(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def failed_items(outcomes: Iterable[ItemOutcome]) -> list[ItemOutcome]:
    return [o for o in outcomes if o.result == ItemResult.FAIL]


def hazard_description(checklist_name: str, place_name: str, outcome: ItemOutcome) -> str:
    """What the hazard opened for a failed item says (the ledger's text must stand alone)."""
    text = f"{place_name}日检查（{checklist_name}）不合格：{outcome.text}"
    return f"{text}。检查记录：{outcome.note}" if outcome.note else text


# -- coverage -----------------------------------------------------------------------------
ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Period:
    """Campus dates ``start``..``end`` inclusive, named as asked (2021-11-22 / 2021-W47)."""

    label: str
    start: date
    end: date


def day_period(day: date) -> Period:
    return Period(day.isoformat(), day, day)


def week_period(text: str) -> Period:
    """``YYYY-Www`` (ISO 8601 week, Monday to Sunday); ValueError when not a real week."""
    match = ISO_WEEK.match(text)
    if not match:
        raise ValueError("must be an ISO week like 2021-W47")
    year, week = int(match.group(1)), int(match.group(2))
    if not EARLIEST.year <= year <= LATEST.year:
        raise ValueError(f"the year must be between {EARLIEST.year} and {LATEST.year}")
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise ValueError(f"{year} has no ISO week {week}") from exc
    return Period(text, monday, monday + timedelta(days=6))


def uninspected(places: Sequence[str], inspected: Iterable[str]) -> list[str]:
    """The places (in their given order) with no inspection in the period."""
    done = set(inspected)
    return [place for place in places if place not in done]


def campus_date(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def campus_day_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(tz))


# -- special equipment --------------------------------------------------------------------
class EquipmentKind(StrEnum):
    ELEVATOR = "elevator"
    BOILER = "boiler"
    PRESSURE_VESSEL = "pressure_vessel"
    GAS_CYLINDER = "gas_cylinder"
    PRESSURE_PIPING = "pressure_piping"
    LIFTING = "lifting"
    FIELD_VEHICLE = "field_vehicle"
    AMUSEMENT = "amusement"
    PASSENGER_ROPEWAY = "passenger_ropeway"


EQUIPMENT_KIND_LABELS = {
    EquipmentKind.ELEVATOR: "电梯",
    EquipmentKind.BOILER: "锅炉",
    EquipmentKind.PRESSURE_VESSEL: "压力容器",
    EquipmentKind.GAS_CYLINDER: "气瓶",
    EquipmentKind.PRESSURE_PIPING: "压力管道",
    EquipmentKind.LIFTING: "起重机械",
    EquipmentKind.FIELD_VEHICLE: "场（厂）内专用机动车辆",
    EquipmentKind.AMUSEMENT: "大型游乐设施",
    EquipmentKind.PASSENGER_ROPEWAY: "客运索道",
}


class EquipmentStatus(StrEnum):
    IN_USE = "in_use"  # 在用
    SUSPENDED = "suspended"  # 停用
    RETIRED = "retired"  # 报废


EQUIPMENT_STATUS_LABELS = {
    EquipmentStatus.IN_USE: "在用",
    EquipmentStatus.SUSPENDED: "停用",
    EquipmentStatus.RETIRED: "报废",
}


class PeriodicResult(StrEnum):
    PASS = "pass"  # 合格
    CONDITIONAL = "conditional"  # 基本符合要求（整改后使用）
    FAIL = "fail"  # 不合格: must not stay in use


PERIODIC_RESULT_LABELS = {
    PeriodicResult.PASS: "合格",
    PeriodicResult.CONDITIONAL: "基本符合要求",
    PeriodicResult.FAIL: "不合格",
}


class DueState(StrEnum):
    OVERDUE = "overdue"  # 超期未检
    DUE_SOON = "due_soon"  # 一个月内到期
    OK = "ok"
    UNKNOWN = "unknown"  # no due date recorded


DUE_STATE_LABELS = {
    DueState.OVERDUE: "超期未检",
    DueState.DUE_SOON: "即将到期",
    DueState.OK: "在有效期内",
    DueState.UNKNOWN: "未登记检验日期",
}
DUE_SOON_DAYS = 30


def inspection_overdue(next_due: date | None, today: date) -> bool:
    """Due "2021-11-22" means inspected by the end of that campus day: overdue from the 23rd."""
    return next_due is not None and today > next_due


def due_state(next_due: date | None, today: date, soon_days: int = DUE_SOON_DAYS) -> DueState:
    if next_due is None:
        return DueState.UNKNOWN
    if inspection_overdue(next_due, today):
        return DueState.OVERDUE
    if (next_due - today).days <= soon_days:
        return DueState.DUE_SOON
    return DueState.OK


def needs_due_hazard(status: str, next_due: date | None, today: date) -> bool:
    """Only equipment still in use is a hazard when its periodic inspection lapses."""
    return status == EquipmentStatus.IN_USE and inspection_overdue(next_due, today)


def check_periodic_inspection(
    inspected_on: date, result: str, next_due: date | None, today: date
) -> None:
    """A periodic inspection happened (not in the future) and, unless failed, sets a later due
    date; a failed one may omit it (the equipment is taken out of use)."""
    if inspected_on > today:
        raise invalid("inspected_on", f"is after today ({today})")
    if next_due is None and result != PeriodicResult.FAIL:
        raise invalid("next_due", "required unless the result is fail")
    if next_due is not None and next_due <= inspected_on:
        raise invalid("next_due", "must be after inspected_on")


def supersedes(last_inspected_on: date | None, inspected_on: date) -> bool:
    """A back-filled older inspection is kept in the history but does not move the dates."""
    return last_inspected_on is None or inspected_on >= last_inspected_on


def status_after(result: str, current: str) -> str:
    """检验不合格的特种设备不得继续使用: a failed inspection suspends equipment in use."""
    if result == PeriodicResult.FAIL and current == EquipmentStatus.IN_USE:
        return EquipmentStatus.SUSPENDED.value
    return current


def equipment_hazard_description(name: str, kind: str, registration_no: str, due: date) -> str:
    label = EQUIPMENT_KIND_LABELS.get(EquipmentKind(kind), kind)
    return (
        f"特种设备{name}（{label}，使用登记证编号 {registration_no}）定期检验已于 {due} 到期，"
        "未见检验记录，超期未检设备应停止使用并尽快申请检验"
    )
