"""Events the reporting service consumes: hazards, the grid, education — into projections
and accountability flags. Every handler is idempotent (projections keep the newest
sequence; a flag exists once per cause).

Hazard flags follow the hazard's state as the projection holds it, not the event that
happens to arrive: events come late, twice and out of order, and a stale one (older than
the row) never opens a flag from its own, outdated state. Whatever the order, the open
flags end as if the events had come in sequence:

- overdue (隐患逾期未整改): open for the deadline the current state is overdue on; withdrawn
  when that state has a new deadline (an extension) or the hazard is fixed;
- major unresolved (重大隐患悬而不决): raised by the sweep's announcement — which the state
  does not carry, so a late announcement still counts if the row shows the hazard not
  fixed; withdrawn when it is fixed;
- fixed (accepted, closed, archived) is final: every open flag of the hazard is withdrawn.

Dates are campus dates (the campus time zone, ``Settings.campus_timezone``): a hazard
found at 01:00 on a campaign's first day belongs to that campaign. ``event_handlers(tz)``
binds the handlers to a zone; ``EVENT_HANDLERS`` (what the worker runs) to the zone of
the environment, read as ``shared.config.load_settings`` reads it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting import commands
from services.reporting.domain import RECTIFIED_STATUSES, Rule, cause_key
from services.reporting.models import ActivityProjection, DrillResultProjection, HazardProjection
from shared.config import Settings
from shared.db import utcnow
from shared.events import Envelope
from shared.events.catalog import HAZARD_EVENT_TYPES
from shared.events.consumer import Handler
from shared.grid_projection import GRID_EVENT_HANDLERS
from shared.projections import upsert_newer
from shared.timeutil import campus_time

FIXED = frozenset(RECTIFIED_STATUSES)  # accepted, closed, archived: 整改完成并验收
FIXED_REASON = "隐患已整改验收"
EXTENDED_REASON = "整改期限已获批延期"


def configured_timezone() -> str:
    """The campus time zone the service's Settings carry (``CAMPUS_TIMEZONE``)."""
    return os.environ.get("CAMPUS_TIMEZONE", Settings.campus_timezone)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def apply_hazard_state(session: Session, event: Envelope, campus_tz: str) -> None:
    """Every hazard.* event carries the hazard's state: keep the newest one, and let the
    hazard's flags follow the state the projection now holds."""
    data = event.data
    values = {
        **data,
        "found_at": _moment(data["found_at"]),
        "deadline": _date(data["deadline"]),
        "closed_at": _moment(data["closed_at"]),
        "updated_at": utcnow(),
    }
    if upsert_newer(session, HazardProjection, "hazard_id", values, event.sequence):
        # The row is this event's state now. Only a state that can change the flags is
        # looked at (most events, hazard.created above all, cannot: no extra query); an
        # overdue state left behind by an extension still in flight is withdrawn when that
        # extension arrives (late, below).
        if (
            values["overdue"]
            or values["status"] in FIXED
            or event.type in ("hazard.deadline_extended", "hazard.major_unresolved")
        ):
            _follow_state(session, values, event, campus_tz)
        return
    # Stale (or a duplicate): the row holds a newer state, which decides. The event's own
    # state opens nothing; a late major-unresolved announcement counts only if the
    # hazard is still not fixed.
    current = _current_state(session, data["hazard_id"])
    if current is not None:
        _follow_state(session, current, event, campus_tz, announced=values)


def _current_state(session: Session, hazard_id: str) -> Mapping[str, Any] | None:
    table = HazardProjection.__table__
    return session.execute(select(table).where(table.c.hazard_id == hazard_id)).mappings().first()


def _follow_state(
    session: Session,
    state: Mapping[str, Any],
    event: Envelope,
    campus_tz: str,
    announced: Mapping[str, Any] | None = None,
) -> None:
    """Raise and withdraw the hazard's flags so they match ``state`` (the projection's)."""
    hazard_id = state["hazard_id"]
    if state["status"] in FIXED:
        commands.resolve_hazard_flags(
            session, hazard_id, FIXED_REASON, (Rule.OVERDUE_HAZARD, Rule.MAJOR_UNRESOLVED)
        )
        return
    keep = None
    if state["overdue"] and state["deadline"] is not None:
        keep = _raise_overdue(session, state, event, campus_tz)
    # Overdue on another deadline than the current one (or on none): it was extended.
    commands.resolve_hazard_flags(
        session, hazard_id, EXTENDED_REASON, (Rule.OVERDUE_HAZARD,), keep=keep
    )
    if event.type == "hazard.major_unresolved":
        _raise_major_unresolved(session, announced or state, event, campus_tz)


def _raise_overdue(
    session: Session, state: Mapping[str, Any], event: Envelope, campus_tz: str
) -> str:
    deadline = state["deadline"]
    key = cause_key(Rule.OVERDUE_HAZARD, state["hazard_id"], deadline)
    commands.raise_flag(
        session,
        Rule.OVERDUE_HAZARD,
        state["unit_code"],
        key,
        campaign_id=_campaign(session, state, campus_tz),
        cell_id=state["cell_id"],
        person=_person(state) if not state["cell_id"] else None,
        day=deadline + timedelta(days=1),
        evidence={
            "hazard_id": state["hazard_id"],
            "number": state["number"],
            "deadline": deadline.isoformat(),
            "status": state["status"],
            "event_id": event.id,
        },
    )
    return key


def _raise_major_unresolved(
    session: Session, state: Mapping[str, Any], event: Envelope, campus_tz: str
) -> None:
    commands.raise_flag(
        session,
        Rule.MAJOR_UNRESOLVED,
        state["unit_code"],
        cause_key(Rule.MAJOR_UNRESOLVED, state["hazard_id"]),
        campaign_id=_campaign(session, state, campus_tz),
        cell_id=state["cell_id"],
        person=_person(state) if not state["cell_id"] else None,
        day=campus_time(event.occurred_at, campus_tz).date(),
        evidence={
            "hazard_id": state["hazard_id"],
            "number": state["number"],
            "found_at": state["found_at"].isoformat(),
            "event_id": event.id,
        },
    )


def _campaign(session: Session, state: Mapping[str, Any], campus_tz: str) -> str | None:
    """The campaign running on the campus day the hazard was found."""
    return commands.campaign_of(session, campus_time(state["found_at"], campus_tz).date())


def _person(state: Mapping[str, Any]) -> tuple[str | None, str | None]:
    return state["responsible_person_id"], state["responsible_person_name"]


def apply_activity(session: Session, event: Envelope) -> None:
    data = event.data
    values = {**data, "starts_at": _moment(data["starts_at"]), "ends_at": _moment(data["ends_at"])}
    upsert_newer(session, ActivityProjection, "activity_id", values, event.sequence)


def apply_drill_result(session: Session, event: Envelope) -> None:
    data = event.data
    values = {**data, "completed_at": _moment(data["completed_at"])}
    upsert_newer(session, DrillResultProjection, "drill_id", values, event.sequence)


def event_handlers(campus_tz: str) -> dict[str, Handler]:
    """The reporting service's handlers, with campus dates in ``campus_tz``."""
    hazard = partial(apply_hazard_state, campus_tz=campus_tz)
    return {
        **GRID_EVENT_HANDLERS,
        **{event_type: hazard for event_type in HAZARD_EVENT_TYPES},
        "activity.scheduled": apply_activity,
        "activity.held": apply_activity,
        "activity.cancelled": apply_activity,
        "drill.completed": apply_drill_result,
    }


EVENT_HANDLERS: dict[str, Handler] = event_handlers(configured_timezone())
