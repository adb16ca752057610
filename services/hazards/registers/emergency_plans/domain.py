"""Pure rules of the emergency-plan register (应急预案).

A plan in force is drilled at least every ``drill_period_days`` days (counted from its last
drill, or from its approval while never drilled) and reviewed by ``review_due``; a plan
past either date is lapsed (超期未演练 / 超期未修订): it shows on the to-do, counts in the
summary, and the sweep opens one hazard per lapse.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from services.hazards.registers.domain import invalid

# The lapse rule is shared with the consumers of emergency_plan.changed (reporting, education).
from shared.plan_lapses import (
    LAPSE_LABELS,
    PLAN_CATEGORY,
    PLAN_STATUS_LABELS,
    Lapse,
    PlanStatus,
    lapses,
)

__all__ = ["LAPSE_LABELS", "PLAN_CATEGORY", "PLAN_STATUS_LABELS", "Lapse", "PlanStatus", "lapses"]

PLAN_SUBCATEGORY = "drills"  # 安全演练和自救互救
HAZARD_SOURCE = "emergency_plan"


class Scenario(StrEnum):
    FIRE = "fire"
    FLOOD = "flood"
    EARTHQUAKE = "earthquake"
    CROWD = "crowd"
    FOOD_POISONING = "food_poisoning"
    LAB_SPILL = "lab_spill"
    SPECIAL_EQUIPMENT = "special_equipment"
    PUBLIC_HEALTH = "public_health"
    OTHER = "other"


SCENARIO_LABELS = {
    Scenario.FIRE: "火灾",
    Scenario.FLOOD: "防汛",
    Scenario.EARTHQUAKE: "地震",
    Scenario.CROWD: "拥挤踩踏",
    Scenario.FOOD_POISONING: "食物中毒",
    Scenario.LAB_SPILL: "实验室危化品泄漏",
    Scenario.SPECIAL_EQUIPMENT: "特种设备事故",
    Scenario.PUBLIC_HEALTH: "公共卫生事件",
    Scenario.OTHER: "其他",
}


MAX_DRILL_PERIOD_DAYS = 3 * 366


def drill_due(
    last_drilled_on: date | None, approved_on: date | None, period_days: int, created_on: date
) -> date:
    """The day by which the next drill is due: a period after the last drill, or after the
    approval (the register day when no approval is recorded) for a plan never drilled."""
    start = last_drilled_on or approved_on or created_on
    return start + timedelta(days=period_days)


def check_dates(approved_on: date | None, review_due: date | None, today: date) -> None:
    """An approval happened (not in the future) and the review falls after it."""
    if approved_on is not None and approved_on > today:
        raise invalid("approved_on", f"晚于今天（{today}）")
    if approved_on is not None and review_due is not None and review_due <= approved_on:
        raise invalid("review_due", "须晚于批准日期")


def later_drill(last_drilled_on: date | None, drilled_on: date) -> bool:
    """Drills may arrive out of order: only a later one moves the plan's last drill date."""
    return last_drilled_on is None or drilled_on > last_drilled_on


def lapse_ref(plan_id: str, lapse: Lapse, due: date) -> str:
    """The lapse's hazard source_ref: one hazard per plan, kind of lapse and due date."""
    return f"{plan_id}:{lapse.value}:{due.isoformat()}"


def lapse_description(title: str, scenario: str, unit_code: str, lapse: Lapse, due: date) -> str:
    label = SCENARIO_LABELS.get(Scenario(scenario), scenario)
    if lapse == Lapse.DRILL:
        what = f"应于 {due} 前组织演练，未见演练记录"
    else:
        what = f"应于 {due} 前完成修订（评审），已超期"
    return f"单位 {unit_code} 的应急预案《{title}》（{label}）{what}，请尽快组织落实"
