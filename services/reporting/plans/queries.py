"""The plans' figures of GET /statistics: per unit, the plans in force, those not drilled
within their period (undrilled), past their review date, past either — judged on the day
asked by the register's own rule (shared.plan_lapses)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.plans.models import PlanProjection
from shared.plan_lapses import PLAN_CATEGORY, PlanStatus, plan_counts

MEASURES = ("plans", "undrilled", "review_overdue", "lapsed")


def plan_statistics(
    session: Session, today: date, unit_code: str | None, categories: list[str] | None
) -> dict:
    """{"as_of", "units": [{unit_code, plans, undrilled, review_overdue, lapsed}], "totals"}
    for the units in scope (``unit_code``; None: every unit); none outside the categories."""
    units: dict[str, list[tuple[str, date, date]]] = {}
    if categories is None or PLAN_CATEGORY in categories:
        stmt = select(
            PlanProjection.unit_code,
            PlanProjection.status,
            PlanProjection.drill_due,
            PlanProjection.review_due,
        ).where(PlanProjection.status == PlanStatus.IN_FORCE.value)
        if unit_code:
            stmt = stmt.where(PlanProjection.unit_code == unit_code)
        for unit, status, drill_due, review_due in session.execute(stmt):
            units.setdefault(unit, []).append((status, drill_due, review_due))
    rows = [{"unit_code": u, **plan_counts(units[u], today)} for u in sorted(units)]
    totals = {m: sum(row[m] for row in rows) for m in MEASURES}
    return {"as_of": today, "units": rows, "totals": totals}
