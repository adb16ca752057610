"""Events the reporting service consumes: hazard.* keep the hazard projection."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from services.reporting.domain import is_newer
from services.reporting.models import HazardProjection
from shared.events import Envelope
from shared.events.consumer import Handler


def apply_hazard_state(session: Session, event: Envelope) -> None:
    data = event.data
    row = session.get(HazardProjection, data["hazard_id"], with_for_update=True)
    if row is not None and not is_newer(event.sequence, row.last_sequence):
        return
    if row is None:
        row = HazardProjection(hazard_id=data["hazard_id"])
        session.add(row)
    row.number = data["number"]
    row.unit_code = data["unit_code"]
    row.category = data["category"]
    row.severity = data["severity"]
    row.status = data["status"]
    row.found_at = datetime.fromisoformat(data["found_at"])
    row.deadline = date.fromisoformat(data["deadline"]) if data.get("deadline") else None
    closed_at = data.get("closed_at")
    row.closed_at = datetime.fromisoformat(closed_at) if closed_at else None
    row.last_sequence = event.sequence


EVENT_HANDLERS: dict[str, Handler] = {
    "hazard.created": apply_hazard_state,
    "hazard.closed": apply_hazard_state,
}
