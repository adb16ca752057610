"""Education's activity.held confirms a pre-departure briefing (行前安全教育): a placement
naming that activity takes its campus day as the briefing's date. The event is the
education service's word that the activity was held; a date typed by hand stays the
fallback for an activity held before its id was recorded here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.hazards.registers.placements.domain import PlacementStatus
from services.hazards.registers.placements.models import Placement
from shared.events import Envelope
from shared.timeutil import campus_today


def briefing_held(session: Session, event: Envelope, campus_tz: str) -> None:
    """Idempotent: a re-delivery sets the same date again (no version bump then)."""
    data = event.data
    held_on = campus_today(campus_tz, datetime.fromisoformat(data["starts_at"]))
    placements = session.scalars(
        select(Placement)
        .where(
            Placement.briefing_activity_id == data["activity_id"],
            Placement.status == PlacementStatus.PLANNED.value,
        )
        .with_for_update()
    )
    for placement in placements:
        if placement.briefing_held_on != held_on:
            placement.briefing_held_on = held_on
            placement.version += 1
