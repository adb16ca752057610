"""The one rule of when an emergency plan has lapsed (shared.plan_lapses), which the hazards
register and the projections in reporting and education all apply on the day asked."""

from __future__ import annotations

from datetime import date

from services.hazards.registers.emergency_plans import domain
from shared.plan_lapses import Lapse, lapses, plan_counts

DRILL, REVIEW = date(2026, 6, 30), date(2026, 12, 31)


def test_a_due_day_is_still_in_time_and_the_day_after_is_lapsed():
    assert lapses("in_force", DRILL, REVIEW, date(2026, 6, 30)) == []
    assert lapses("in_force", DRILL, REVIEW, date(2026, 7, 1)) == [Lapse.DRILL]
    assert lapses("in_force", DRILL, REVIEW, date(2027, 1, 1)) == [Lapse.DRILL, Lapse.REVIEW]


def test_a_withdrawn_plan_never_lapses():
    assert lapses("withdrawn", DRILL, REVIEW, date(2030, 1, 1)) == []


def test_the_register_judges_by_the_same_rule():
    assert domain.lapses is lapses and domain.Lapse is Lapse


def test_counts_per_unit_take_plans_in_force_only():
    plans = [
        ("in_force", date(2026, 1, 1), date(2027, 1, 1)),  # undrilled
        ("in_force", date(2026, 1, 1), date(2026, 1, 1)),  # undrilled and past review
        ("in_force", date(2026, 12, 1), date(2027, 1, 1)),  # in time
        ("withdrawn", date(2020, 1, 1), date(2020, 1, 1)),  # not counted at all
    ]
    assert plan_counts(plans, date(2026, 3, 1)) == {
        "plans": 3,
        "undrilled": 2,
        "review_overdue": 1,
        "lapsed": 2,
    }
