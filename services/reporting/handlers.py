"""Events the reporting service consumes: hazard.* and the grid's, into projections."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from services.reporting.models import HazardProjection
from shared.db import utcnow
from shared.events import Envelope
from shared.events.catalog import HAZARD_EVENT_TYPES
from shared.events.consumer import Handler
from shared.grid_projection import GRID_EVENT_HANDLERS
from shared.projections import upsert_newer


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


EVENT_HANDLERS: dict[str, Handler] = {
    **GRID_EVENT_HANDLERS,
    **{event_type: apply_hazard_state for event_type in HAZARD_EVENT_TYPES},
}
