"""Events the hazard ledger consumes: the grid (routing and responsibility), problems
found in drills, each of which opens a hazard exactly once, and the campaign's categories
with their lead departments (who sees and accepts the hazards filed under each)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.hazards import commands, domain, leads
from services.hazards.models import Hazard
from services.hazards.registers.emergency_plans.drills import mark_drilled
from services.hazards.registers.placements.briefings import briefing_held
from services.hazards.registers.vehicles.education import attendance_recorded
from shared.config import Settings
from shared.events import Envelope
from shared.events.consumer import Handler
from shared.grid_projection import GRID_EVENT_HANDLERS, GridCell
from shared.revocation_store import REVOCATION_HANDLERS


def open_hazard_for_drill_problem(session: Session, event: Envelope, campus_tz: str) -> None:
    data = event.data
    exists = session.scalar(
        select(Hazard.id).where(Hazard.source == "drill", Hazard.source_ref == data["problem_id"])
    )
    if exists:
        return  # the same problem announced again (another event id): still one hazard
    cell = session.get(GridCell, data["cell_id"]) if data["cell_id"] else None
    if cell is not None and cell.ended_on is not None:
        cell = None  # an ended place (停用) takes no new hazard: open it on the unit instead
    place = domain.drill_problem_place(
        data["unit_code"], data["cell_id"], cell.unit_code if cell else None
    )
    description = data["description"]
    if place.note:
        description = f"{description}\n{place.note}"
    commands.create_hazard(
        session,
        commands.SYSTEM,
        category=data["category"],
        description=description,
        unit_code=place.unit_code,
        cell_id=place.cell_id,
        location=place.location,
        severity=data["severity"],
        found_at=datetime.fromisoformat(data["found_at"]),
        campus_tz=campus_tz,
        source="drill",
        source_ref=data["problem_id"],
    )


def take_category_leads(session: Session, event: Envelope) -> None:
    """A campaign published its categories and their leads: the newest campaign decides
    the leads of new hazards (a re-delivered or older announcement changes nothing)."""
    leads.take_published(session, event.data, event.sequence)


def make_handlers(settings: Settings) -> dict[str, Handler]:
    """The hazard worker's handlers: hazards opened from drills are numbered and dated in
    the campus time zone of ``settings`` (the one its web app uses)."""
    return {
        **GRID_EVENT_HANDLERS,
        **REVOCATION_HANDLERS,
        "drill.problem_found": partial(
            open_hazard_for_drill_problem, campus_tz=settings.campus_timezone
        ),
        "campaign.categories_published": take_category_leads,
        "drill.completed": partial(mark_drilled, campus_tz=settings.campus_timezone),
        "activity.held": partial(briefing_held, campus_tz=settings.campus_timezone),
        "attendance.recorded": attendance_recorded,
    }
