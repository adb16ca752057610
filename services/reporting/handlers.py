"""Events the reporting service consumes: hazards, the grid, education — into projections
and accountability flags. Every handler is idempotent (projections keep the newest
sequence; a flag exists once per cause)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from services.reporting import commands
from services.reporting.domain import Rule, cause_key
from services.reporting.models import ActivityProjection, DrillResultProjection, HazardProjection
from shared.db import utcnow
from shared.events import Envelope
from shared.events.catalog import HAZARD_EVENT_TYPES
from shared.events.consumer import Handler
from shared.grid_projection import GRID_EVENT_HANDLERS
from shared.projections import upsert_newer

FIXED = {"hazard.accepted", "hazard.closed", "hazard.archived"}


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def apply_hazard_state(session: Session, event: Envelope) -> None:
    """Every hazard.* event carries the hazard's state: keep the newest one."""
    data = event.data
    values = {
        **data,
        "found_at": _moment(data["found_at"]),
        "deadline": _date(data["deadline"]),
        "closed_at": _moment(data["closed_at"]),
        "updated_at": utcnow(),
    }
    upsert_newer(session, HazardProjection, "hazard_id", values, event.sequence)
    found_day = values["found_at"].date()
    if event.type == "hazard.overdue":
        deadline = values["deadline"]
        commands.raise_flag(
            session,
            Rule.OVERDUE_HAZARD,
            data["unit_code"],
            cause_key(Rule.OVERDUE_HAZARD, data["hazard_id"], deadline),
            campaign_id=commands.campaign_of(session, found_day),
            cell_id=data["cell_id"],
            person=_person(data) if not data["cell_id"] else None,
            day=deadline + timedelta(days=1),
            evidence={
                "hazard_id": data["hazard_id"],
                "number": data["number"],
                "deadline": deadline.isoformat(),
                "status": data["status"],
                "event_id": event.id,
            },
        )
    elif event.type == "hazard.major_unresolved":
        commands.raise_flag(
            session,
            Rule.MAJOR_UNRESOLVED,
            data["unit_code"],
            cause_key(Rule.MAJOR_UNRESOLVED, data["hazard_id"]),
            campaign_id=commands.campaign_of(session, found_day),
            cell_id=data["cell_id"],
            person=_person(data) if not data["cell_id"] else None,
            day=event.occurred_at.date(),
            evidence={
                "hazard_id": data["hazard_id"],
                "number": data["number"],
                "found_at": data["found_at"],
                "event_id": event.id,
            },
        )
    elif event.type in FIXED:
        commands.resolve_hazard_flags(
            session,
            data["hazard_id"],
            "隐患已整改验收",
            (Rule.OVERDUE_HAZARD, Rule.MAJOR_UNRESOLVED),
        )
    elif event.type == "hazard.deadline_extended" and not data["overdue"]:
        commands.resolve_hazard_flags(
            session, data["hazard_id"], "整改期限已获批延期", (Rule.OVERDUE_HAZARD,)
        )


def _person(data: dict) -> tuple[str | None, str | None]:
    return data["responsible_person_id"], data["responsible_person_name"]


def apply_activity(session: Session, event: Envelope) -> None:
    data = event.data
    values = {**data, "starts_at": _moment(data["starts_at"]), "ends_at": _moment(data["ends_at"])}
    upsert_newer(session, ActivityProjection, "activity_id", values, event.sequence)


def apply_drill_result(session: Session, event: Envelope) -> None:
    data = event.data
    values = {**data, "completed_at": _moment(data["completed_at"])}
    upsert_newer(session, DrillResultProjection, "drill_id", values, event.sequence)


EVENT_HANDLERS: dict[str, Handler] = {
    **GRID_EVENT_HANDLERS,
    **{event_type: apply_hazard_state for event_type in HAZARD_EVENT_TYPES},
    "activity.scheduled": apply_activity,
    "activity.held": apply_activity,
    "activity.cancelled": apply_activity,
    "drill.completed": apply_drill_result,
}
