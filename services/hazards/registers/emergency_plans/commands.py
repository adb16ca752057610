"""Use cases of the emergency-plan register: register and edit plans, list them with their
lapses (超期未演练 / 超期未修订), count them for the statistics."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select
from sqlalchemy.orm import Session

from services.hazards.registers import access
from services.hazards.registers.domain import already_used, invalid
from services.hazards.registers.emergency_plans import domain, events
from services.hazards.registers.emergency_plans.models import EmergencyPlan
from services.hazards.registers.rows import apply_changes, columns, get_or_404
from shared.errors import check_version
from shared.grid_projection import GridUnit
from shared.principal import Principal


def view(plan: EmergencyPlan, today: date) -> dict[str, Any]:
    """The plan with what it has let lapse as of the campus day."""
    found = domain.lapses(plan.status, plan.next_drill_due, plan.review_due, today)
    return {**columns(plan), "lapses": [lapse.value for lapse in found]}


def _check_unit(session: Session, unit_code: str) -> None:
    if session.get(GridUnit, unit_code) is None:
        raise invalid("unit_code", "不是网格中的单位")


def _check_edition_free(
    session: Session, unit_code: str, scenario: str, edition: str, exclude: str | None = None
) -> None:
    other = session.scalar(
        select(EmergencyPlan.id).where(
            EmergencyPlan.unit_code == unit_code,
            EmergencyPlan.scenario == scenario,
            EmergencyPlan.edition == edition,
        )
    )
    if other is not None and other != exclude:
        raise already_used("edition", "已登记", f"该单位此类预案的版本 {edition} 已登记")


def register_plan(
    session: Session, principal: Principal, today: date, **fields: Any
) -> EmergencyPlan:
    access.require_writer(principal, fields["unit_code"])
    _check_unit(session, fields["unit_code"])
    domain.check_dates(fields.get("approved_on"), fields["review_due"], today)
    _check_edition_free(session, fields["unit_code"], fields["scenario"], fields["edition"])
    plan = EmergencyPlan(
        **fields,
        status=domain.PlanStatus.IN_FORCE.value,
        next_drill_due=domain.drill_due(
            None, fields.get("approved_on"), fields["drill_period_days"], today
        ),
        created_by=principal.sub,
        version=1,
    )
    session.add(plan)
    session.flush()
    events.announce(session, plan, principal.sub)
    return plan


def get_plan(
    session: Session, principal: Principal, plan_id: str, lock: bool = False
) -> EmergencyPlan:
    plan = get_or_404(session, EmergencyPlan, plan_id, "应急预案", lock)
    access.require_reader(
        session, principal, plan.unit_code, domain.PLAN_CATEGORY, f"应急预案 {plan_id} "
    )
    return plan


def update_plan(
    session: Session,
    principal: Principal,
    plan_id: str,
    changes: Mapping[str, Any],
    today: date,
    if_match: int | None = None,
) -> EmergencyPlan:
    """Edit the plan; the next drill's due date follows a changed period or approval."""
    plan = get_plan(session, principal, plan_id, lock=True)
    access.require_writer(principal, plan.unit_code)
    check_version(plan, if_match, "应急预案")
    approved_on = changes.get("approved_on", plan.approved_on)
    if "approved_on" in changes or "review_due" in changes:
        domain.check_dates(approved_on, changes.get("review_due", plan.review_due), today)
    if {"scenario", "edition"} & changes.keys():
        _check_edition_free(
            session,
            plan.unit_code,
            changes.get("scenario", plan.scenario),
            changes.get("edition", plan.edition),
            exclude=plan.id,
        )
    changes = dict(changes)
    changes["next_drill_due"] = domain.drill_due(
        plan.last_drilled_on,
        approved_on,
        changes.get("drill_period_days", plan.drill_period_days),
        plan.created_at.date(),
    )
    if apply_changes(plan, changes):
        plan.version += 1
        session.flush()
        events.announce(session, plan, principal.sub)
    return plan


def lapse_condition(lapse: domain.Lapse, today: date) -> ColumnElement[bool]:
    """SQL twin of ``domain.lapses`` for one kind of lapse."""
    due = EmergencyPlan.next_drill_due if lapse == domain.Lapse.DRILL else EmergencyPlan.review_due
    return and_(EmergencyPlan.status == domain.PlanStatus.IN_FORCE.value, due < today)


def visible_plans(stmt: Select, principal: Principal) -> Select:
    return access.visible(stmt, principal, EmergencyPlan.unit_code, literal(domain.PLAN_CATEGORY))


def plan_query(principal: Principal, filters: Mapping[str, Any], today: date) -> Select:
    stmt = visible_plans(select(EmergencyPlan), principal)
    for key in ("unit_code", "scenario", "status"):
        if filters.get(key):
            stmt = stmt.where(getattr(EmergencyPlan, key) == filters[key])
    if filters.get("lapse"):
        stmt = stmt.where(lapse_condition(domain.Lapse(filters["lapse"]), today))
        return stmt.order_by(EmergencyPlan.next_drill_due, EmergencyPlan.review_due)
    return stmt.order_by(EmergencyPlan.unit_code, EmergencyPlan.scenario, EmergencyPlan.edition)


def lapsed_condition(today: date) -> ColumnElement[bool]:
    return or_(*(lapse_condition(lapse, today) for lapse in domain.Lapse))


def summary(
    session: Session, principal: Principal, today: date, unit_code: str | None = None
) -> dict[str, int]:
    """统计: plans in force, and how many are past their drill, their review, either."""

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.count().filter(condition)

    stmt = visible_plans(
        select(
            count(EmergencyPlan.status == domain.PlanStatus.IN_FORCE.value),
            count(lapse_condition(domain.Lapse.DRILL, today)),
            count(lapse_condition(domain.Lapse.REVIEW, today)),
            count(lapsed_condition(today)),
        ),
        principal,
    )
    if unit_code:
        stmt = stmt.where(EmergencyPlan.unit_code == unit_code)
    plans, undrilled, review_overdue, lapsed = session.execute(stmt).one()
    return {
        "plans": plans,
        "undrilled": undrilled,
        "review_overdue": review_overdue,
        "lapsed": lapsed,
    }
