"""我的待办: the emergency plans the caller must drill or revise (超期未演练 / 超期未修订):
those of the units the caller manages (the security office: every unit)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from services.hazards.registers.emergency_plans import domain
from services.hazards.registers.emergency_plans.commands import lapsed_condition
from services.hazards.registers.emergency_plans.models import EmergencyPlan
from shared.grid_projection import GridUnit
from shared.principal import SECURITY_OFFICE, UNIT_MANAGER, Principal
from shared.todo import DEFAULT_LIMIT, TodoItem

KIND = "emergency_plan"
KIND_LABEL = "应急预案演练或修订"


def lapsed_items(
    session: Session, principal: Principal, today: date, limit: int = DEFAULT_LIMIT
) -> list[TodoItem]:
    """One item per lapse of a plan the caller may act on (``may_manage_unit``'s SQL)."""
    stmt = select(EmergencyPlan).where(lapsed_condition(today))
    if SECURITY_OFFICE not in principal.roles:
        if UNIT_MANAGER in principal.roles and principal.unit:
            stmt = stmt.where(EmergencyPlan.unit_code == principal.unit)
        else:
            stmt = stmt.where(false())
    plans = session.scalars(stmt.order_by(EmergencyPlan.next_drill_due).limit(limit)).all()
    names = dict(session.execute(select(GridUnit.code, GridUnit.name)).all()) if plans else {}
    items = []
    for plan in plans:
        for lapse in domain.lapses(plan.status, plan.next_drill_due, plan.review_due, today):
            due = plan.next_drill_due if lapse == domain.Lapse.DRILL else plan.review_due
            unit = names.get(plan.unit_code, plan.unit_code)  # a person reads the unit's name
            title = f"{unit} 应急预案《{plan.title}》{domain.LAPSE_LABELS[lapse]}"
            items.append(TodoItem(KIND, KIND_LABEL, title, due, True, {"plan_id": plan.id}))
    return items
