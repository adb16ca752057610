"""Drills that exercised a plan (education's drill.completed carries the plan) and the due
sweep that opens one hazard per lapsed plan."""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.hazards import commands as ledger
from services.hazards.models import Hazard
from services.hazards.registers.emergency_plans import domain, events
from services.hazards.registers.emergency_plans.commands import lapsed_condition
from services.hazards.registers.emergency_plans.models import EmergencyPlan, PlanDrill
from shared.config import Settings
from shared.db import unit_of_work
from shared.errors import DomainError
from shared.events import Envelope
from shared.timeutil import campus_today, utcnow

log = logging.getLogger("campus.hazards.registers")


def mark_drilled(session: Session, event: Envelope, campus_tz: str) -> None:
    """drill.completed with a plan_id: the plan was drilled that campus day. Idempotent (one
    row per drill) and order-free (only a later drill moves the plan's date)."""
    data = event.data
    plan_id = data.get("plan_id")
    if not plan_id:
        return
    plan = session.get(EmergencyPlan, plan_id, with_for_update=True)
    if plan is None:
        log.warning("drill %s names unknown emergency plan %s", data["drill_id"], plan_id)
        return
    if session.get(PlanDrill, data["drill_id"]) is not None:
        return  # delivered again
    drilled_on = campus_today(campus_tz, datetime.fromisoformat(data["completed_at"]))
    session.add(
        PlanDrill(
            drill_id=data["drill_id"],
            plan_id=plan.id,
            drilled_on=drilled_on,
            participants=data["participants"],
        )
    )
    if domain.later_drill(plan.last_drilled_on, drilled_on):
        plan.last_drilled_on = drilled_on
        plan.last_drill_id = data["drill_id"]
        plan.next_drill_due = domain.drill_due(
            drilled_on, plan.approved_on, plan.drill_period_days, drilled_on
        )
        plan.version += 1
        session.flush()
        events.announce(session, plan, event.actor or "education")
    session.flush()


def open_lapsed_plan_hazards(session: Session, now: datetime, campus_tz: str) -> int:
    """Open one hazard per plan, kind of lapse and due date; a second run opens none."""
    today = campus_today(campus_tz, now)
    plans = session.scalars(
        select(EmergencyPlan)
        .where(lapsed_condition(today))
        .order_by(EmergencyPlan.unit_code, EmergencyPlan.id)
        .with_for_update(skip_locked=True)  # a concurrent sweep takes the others
    ).all()
    opened = 0
    for plan in plans:
        for lapse in domain.lapses(plan.status, plan.next_drill_due, plan.review_due, today):
            due = plan.next_drill_due if lapse == domain.Lapse.DRILL else plan.review_due
            ref = domain.lapse_ref(plan.id, lapse, due)
            if session.scalar(
                select(Hazard.id).where(
                    Hazard.source == domain.HAZARD_SOURCE, Hazard.source_ref == ref
                )
            ):
                continue
            if _open(session, plan, lapse, due, ref, now, campus_tz):
                opened += 1
    return opened


def _open(
    session: Session,
    plan: EmergencyPlan,
    lapse: domain.Lapse,
    due: date,
    ref: str,
    now: datetime,
    campus_tz: str,
) -> bool:
    """In a savepoint: one bad plan must not block the others' hazards."""
    try:
        with session.begin_nested():
            ledger.create_hazard(
                session,
                ledger.SYSTEM,
                category=domain.PLAN_CATEGORY,
                subcategory=domain.PLAN_SUBCATEGORY,
                description=domain.lapse_description(
                    plan.title, plan.scenario, plan.unit_code, lapse, due
                ),
                unit_code=plan.unit_code,
                found_at=now,
                campus_tz=campus_tz,
                source=domain.HAZARD_SOURCE,
                source_ref=ref,
            )
    except DomainError as exc:
        log.warning("emergency plan %s: no hazard opened: %s", plan.id, exc)
        return False
    return True


def run_plan_sweep(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> int:
    """The worker's periodic task (services.hazards.sweeps.TASKS signature)."""
    with unit_of_work(factory) as session:
        return open_lapsed_plan_hazards(session, now or utcnow(), settings.campus_timezone)
