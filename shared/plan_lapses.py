"""When an emergency plan (应急预案) has lapsed: one pure rule for every service that holds
a plan's dates — the hazards register that keeps the plans, and the projections of
``emergency_plan.changed`` in reporting (statistics) and education (drills).

A plan lapses by the passing of time, not by an event: each holder judges it from the
dates it has, on the day it is asked.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

# A lapsed plan is a hazard of this category (安全教育和心理健康教育): the register's sweep opens
# it there, and reporting shows the plans' figures to the departments leading it.
PLAN_CATEGORY = "education"


class PlanStatus(StrEnum):
    IN_FORCE = "in_force"  # 现行有效
    WITHDRAWN = "withdrawn"  # 已废止


PLAN_STATUS_LABELS = {PlanStatus.IN_FORCE: "现行有效", PlanStatus.WITHDRAWN: "已废止"}


class Lapse(StrEnum):
    DRILL = "drill"  # 超期未演练
    REVIEW = "review"  # 超期未修订


LAPSE_LABELS = {Lapse.DRILL: "超期未演练", Lapse.REVIEW: "超期未修订"}


def lapses(status: str, drill_due_on: date, review_due: date, today: date) -> list[Lapse]:
    """What a plan in force has let lapse on ``today`` (a due day is still in time); a
    withdrawn plan lapses no more. SQL twin in hazards: emergency_plans.commands.lapse_condition."""
    if status != PlanStatus.IN_FORCE:
        return []
    found = []
    if today > drill_due_on:
        found.append(Lapse.DRILL)
    if today > review_due:
        found.append(Lapse.REVIEW)
    return found


def plan_counts(plans: list[tuple[str, date, date]], today: date) -> dict[str, int]:
    """统计 of (status, drill due, review due) triples on ``today``: the plans in force, those
    past their drill (undrilled), past their review, and past either (lapsed)."""
    counts = {"plans": 0, "undrilled": 0, "review_overdue": 0, "lapsed": 0}
    for status, drill_due_on, review_due in plans:
        if status != PlanStatus.IN_FORCE:
            continue
        counts["plans"] += 1
        found = lapses(status, drill_due_on, review_due, today)
        counts["undrilled"] += Lapse.DRILL in found
        counts["review_overdue"] += Lapse.REVIEW in found
        counts["lapsed"] += bool(found)
    return counts
