"""Pure rules of the buildings register (建筑建档).

A building's safety appraisal (房屋安全鉴定) grades it A to D; C (局部危房) and D (整幢危房)
are unsafe and open a major hazard, as does an appraisal past its next due date (the day
after it, as the equipment register counts). Each opens once: the hazard's source_ref
names the building and the appraisal (or due date) it is about.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from services.hazards.registers.domain import invalid

BUILDING_CATEGORY = "construction"  # 建筑与施工安全
# 建筑物安全排查与房屋安全鉴定: an unsafe grade or a lapsed appraisal (the sweep's hazards)
APPRAISAL_SUBCATEGORY = "building_appraisal"
DUE_SOON_DAYS = 60  # an appraisal is arranged weeks ahead


class Structure(StrEnum):
    FRAME = "frame"
    BRICK_CONCRETE = "brick_concrete"
    SHEAR_WALL = "shear_wall"
    STEEL = "steel"
    BRICK_WOOD = "brick_wood"
    OTHER = "other"


STRUCTURE_LABELS = {
    Structure.FRAME: "框架结构",
    Structure.BRICK_CONCRETE: "砖混结构",
    Structure.SHEAR_WALL: "剪力墙结构",
    Structure.STEEL: "钢结构",
    Structure.BRICK_WOOD: "砖木结构",
    Structure.OTHER: "其他",
}


class Use(StrEnum):
    TEACHING = "teaching"
    LABORATORY = "laboratory"
    DORMITORY = "dormitory"
    OFFICE = "office"
    CANTEEN = "canteen"
    LIBRARY = "library"
    SPORTS = "sports"
    OTHER = "other"


USE_LABELS = {
    Use.TEACHING: "教学",
    Use.LABORATORY: "实验",
    Use.DORMITORY: "宿舍",
    Use.OFFICE: "办公",
    Use.CANTEEN: "食堂",
    Use.LIBRARY: "图书馆",
    Use.SPORTS: "体育场馆",
    Use.OTHER: "其他",
}


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


GRADE_LABELS = {
    Grade.A: "A级（安全）",
    Grade.B: "B级（基本安全）",
    Grade.C: "C级（局部危房）",
    Grade.D: "D级（整幢危房）",
}
UNSAFE_GRADES = {Grade.C, Grade.D}


class RiskFlag(StrEnum):
    LOW_LYING = "low_lying"
    GEOLOGICAL = "geological"
    LIGHTNING = "lightning"
    SUBSIDENCE = "subsidence"


RISK_FLAG_LABELS = {
    RiskFlag.LOW_LYING: "低洼",
    RiskFlag.GEOLOGICAL: "地质灾害",
    RiskFlag.LIGHTNING: "雷击",
    RiskFlag.SUBSIDENCE: "沉陷",
}


class AppraisalState(StrEnum):
    UNSAFE = "unsafe"  # C/D
    LAPSED = "lapsed"  # past the next appraisal date
    DUE_SOON = "due_soon"
    OK = "ok"
    UNKNOWN = "unknown"  # never appraised on file


APPRAISAL_STATE_LABELS = {
    AppraisalState.UNSAFE: "危房（C/D级）",
    AppraisalState.LAPSED: "鉴定已过期",
    AppraisalState.DUE_SOON: "鉴定即将到期",
    AppraisalState.OK: "鉴定有效",
    AppraisalState.UNKNOWN: "未登记鉴定",
}


def is_unsafe(grade: str | None) -> bool:
    return grade is not None and Grade(grade) in UNSAFE_GRADES


def appraisal_lapsed(due: date | None, today: date) -> bool:
    """Due "2026-12-01" means appraised by the end of that campus day: lapsed from the 2nd."""
    return due is not None and today > due


def appraisal_state(grade: str | None, due: date | None, today: date) -> AppraisalState:
    if is_unsafe(grade):
        return AppraisalState.UNSAFE
    if appraisal_lapsed(due, today):
        return AppraisalState.LAPSED
    if due is None:
        return AppraisalState.UNKNOWN
    if (due - today).days <= DUE_SOON_DAYS:
        return AppraisalState.DUE_SOON
    return AppraisalState.OK


def check_appraisal(
    appraised_on: date | None, grade: str | None, due: date | None, today: date
) -> None:
    """An appraisal has a day (not in the future) and a grade together; its next date is
    later than the appraisal."""
    if appraised_on is not None and appraised_on > today:
        raise invalid("appraised_on", f"晚于今天（{today}）")
    if grade is not None and appraised_on is None:
        raise invalid("appraised_on", "填写鉴定等级时必填")
    if appraised_on is not None and grade is None:
        raise invalid("appraisal_grade", "填写鉴定日期时必填")
    if due is not None and appraised_on is not None and due <= appraised_on:
        raise invalid("appraisal_due", "须晚于鉴定日期")


def check_built_year(year: int | None, today: date) -> None:
    if year is not None and year > today.year:
        raise invalid("built_year", f"晚于今年（{today.year}）")


def check_site(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise invalid("ends_on", "须不早于开工日期")


def site_active(starts_on: date, ends_on: date, today: date) -> bool:
    return starts_on <= today <= ends_on


def unsafe_ref(building_id: str, grade: str, appraised_on: date | None) -> str:
    """One hazard per building per unsafe appraisal."""
    day = appraised_on.isoformat() if appraised_on else "-"
    return f"{building_id}:grade-{grade}:{day}"


def lapsed_ref(building_id: str, due: date) -> str:
    """One hazard per building per lapsed appraisal date."""
    return f"{building_id}:lapsed:{due.isoformat()}"


def hazards_due(
    building_id: str,
    name: str,
    grade: str | None,
    appraised_on: date | None,
    due: date | None,
    today: date,
) -> list[tuple[str, str]]:
    """(source_ref, description) of each major hazard the building's record calls for."""
    found: list[tuple[str, str]] = []
    if grade is not None and is_unsafe(grade):
        label = GRADE_LABELS[Grade(grade)]
        found.append(
            (
                unsafe_ref(building_id, grade, appraised_on),
                f"建筑{name}安全鉴定为{label}（鉴定日期 {appraised_on}），"
                "应立即采取停用、撤离或加固等措施",
            )
        )
    if due is not None and appraisal_lapsed(due, today):
        found.append(
            (
                lapsed_ref(building_id, due),
                f"建筑{name}的房屋安全鉴定已于 {due} 到期，未见新的鉴定记录，应尽快委托鉴定",
            )
        )
    return found
