"""Events the hazard ledger consumes: the grid (routing and responsibility), problems
found in drills, each of which opens a hazard exactly once, and the campaign's categories
with their lead departments (who sees and accepts the hazards filed under each)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.hazards import SERVICE, commands, domain, leads
from services.hazards.models import Hazard
from shared.config import load_settings
from shared.events import Envelope
from shared.events.consumer import Handler
from shared.grid_projection import GRID_EVENT_HANDLERS, GridCell


def campus_timezone() -> str:
    """The campus time zone of the hazard service: the setting its web app reads
    (``Settings.campus_timezone``, from ``CAMPUS_TIMEZONE``). Handlers are called with the
    session and the event only, so they load the service's settings the way the worker
    and the web app do (read per event: cheap, and never stale)."""
    return load_settings(SERVICE).campus_timezone


def open_hazard_for_drill_problem(session: Session, event: Envelope) -> None:
    data = event.data
    exists = session.scalar(
        select(Hazard.id).where(Hazard.source == "drill", Hazard.source_ref == data["problem_id"])
    )
    if exists:
        return  # the same problem announced again (another event id): still one hazard
    cell = session.get(GridCell, data["cell_id"]) if data["cell_id"] else None
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
        campus_tz=campus_timezone(),
        source="drill",
        source_ref=data["problem_id"],
    )


def take_category_leads(session: Session, event: Envelope) -> None:
    """A campaign published its categories and their leads: the newest campaign decides
    the leads of new hazards (a re-delivered or older announcement changes nothing)."""
    leads.take_published(session, event.data, event.sequence)


EVENT_HANDLERS: dict[str, Handler] = {
    **GRID_EVENT_HANDLERS,
    "drill.problem_found": open_hazard_for_drill_problem,
    "campaign.categories_published": take_category_leads,
}
