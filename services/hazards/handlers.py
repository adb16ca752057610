"""Events the hazard ledger consumes: the grid (routing and responsibility) and problems
found in drills, each of which opens a hazard exactly once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.hazards import commands
from services.hazards.models import Hazard
from shared.events import Envelope
from shared.events.consumer import Handler
from shared.grid_projection import GRID_EVENT_HANDLERS


def open_hazard_for_drill_problem(session: Session, event: Envelope) -> None:
    data = event.data
    exists = session.scalar(
        select(Hazard.id).where(Hazard.source == "drill", Hazard.source_ref == data["problem_id"])
    )
    if exists:
        return  # the same problem announced again (another event id): still one hazard
    commands.create_hazard(
        session,
        commands.SYSTEM,
        category=data["category"],
        description=data["description"],
        unit_code=None if data["cell_id"] else data["unit_code"],
        cell_id=data["cell_id"],
        severity=data["severity"],
        found_at=datetime.fromisoformat(data["found_at"]),
        source="drill",
        source_ref=data["problem_id"],
    )


EVENT_HANDLERS: dict[str, Handler] = {
    **GRID_EVENT_HANDLERS,
    "drill.problem_found": open_hazard_for_drill_problem,
}
