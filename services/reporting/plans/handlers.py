"""Reporting's handler of ``emergency_plan.changed`` (registered in
services.reporting.handlers): the newest sequence wins, so duplicates and reordered
deliveries change nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from services.reporting.plans.models import PlanProjection
from shared.events import Envelope
from shared.projections import upsert_newer

DATES = ("review_due", "drill_due", "last_drilled_on")


def apply_plan(session: Session, event: Envelope) -> None:
    data = event.data
    values = {**data, **{k: data[k] and date.fromisoformat(data[k]) for k in DATES}}
    upsert_newer(session, PlanProjection, "plan_id", values, event.sequence)


HANDLERS = {"emergency_plan.changed": apply_plan}
