"""The activity.* events: what they carry and how each one bumps the activity's version."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.education.models import Activity
from shared.events import record_event
from shared.principal import Principal

SOURCE = "education"


def activity_state(activity: Activity) -> dict[str, Any]:
    """The activity as every activity.* event carries it (no personal data)."""
    return {
        "activity_id": activity.id,
        "kind": activity.kind,
        "title": activity.title,
        "organiser_unit": activity.organiser_unit,
        "target_units": activity.target_units,
        "venue": activity.venue,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "status": activity.status,
        "participants": activity.participants,
    }


def announce(session: Session, activity: Activity, event_type: str, principal: Principal):
    activity.version += 1
    record_event(
        session,
        event_type=event_type,
        source=SOURCE,
        subject=activity.id,
        sequence=activity.version,
        data=activity_state(activity),
        actor=principal.sub,
    )
