"""Events the reporting service consumes: hazard.* and the grid's, into projections."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from services.reporting.models import HazardProjection
from shared.db import utcnow
from shared.events import Envelope
from shared.events.consumer import Handler
from shared.grid_projection import GRID_EVENT_HANDLERS
from shared.projections import upsert_newer


def apply_hazard_state(session: Session, event: Envelope) -> None:
    data = event.data
    closed_at = data.get("closed_at")
    upsert_newer(
        session,
        HazardProjection,
        "hazard_id",
        {
            "hazard_id": data["hazard_id"],
            "number": data["number"],
            "unit_code": data["unit_code"],
            "category": data["category"],
            "severity": data["severity"],
            "status": data["status"],
            "found_at": datetime.fromisoformat(data["found_at"]),
            "deadline": date.fromisoformat(data["deadline"]) if data.get("deadline") else None,
            "closed_at": datetime.fromisoformat(closed_at) if closed_at else None,
            "updated_at": utcnow(),
        },
        event.sequence,
    )


EVENT_HANDLERS: dict[str, Handler] = {
    **GRID_EVENT_HANDLERS,
    "hazard.created": apply_hazard_state,
    "hazard.closed": apply_hazard_state,
}
