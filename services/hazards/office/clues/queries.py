"""The clue rules a list asks in SQL, each beside the pure rule it mirrors."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement

from services.hazards.office.clues import domain
from services.hazards.office.models import Clue


def stale(today: date, days: int) -> ColumnElement[bool]:
    """SQL twin of ``domain.is_stale``: open, and no step or follow-up in ``days`` days."""
    return Clue.status.in_(domain.OPEN_STATUSES) & (
        Clue.last_activity_on <= today - timedelta(days=days)
    )
