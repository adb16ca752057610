"""Building the reporting service's inputs in tests: hazard.* events as the hazard service
announces them, and a unit whose grid cell has a head (who answers for the unit's flags)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from shared.events.envelope import Envelope
from shared.grid_projection import GridAssignment, GridCell, GridUnit
from tests.support.events import event


def hazard_event(
    event_type: str,
    sequence: int,
    hazard_id: str,
    occurred_at: datetime | None = None,
    **state: Any,
) -> Envelope:
    """A hazard.* event carrying a JD fire hazard's state, with ``state`` changed."""
    data = {
        "hazard_id": hazard_id,
        "number": f"YH-2021-{abs(hash(hazard_id)) % 99999:05d}",
        "unit_code": "JD",
        "cell_id": None,
        "category": "fire",
        "lead_department": "BWC",
        "severity": "general",
        "status": "discovered",
        "found_at": datetime(2021, 11, 10, 2, tzinfo=UTC),
        "deadline": None,
        "responsible_person_id": "p-1",
        "responsible_person_name": "张伟",
        "reopen_count": 0,
        "overdue": False,
        "closed_at": None,
        "source": "report",
        "source_ref": None,
        **state,
    }
    for name in ("deadline", "plan_deadline", "acceptance_due"):
        if isinstance(data.get(name), str):
            data[name] = date.fromisoformat(data[name])
    return event(event_type, "hazards", hazard_id, data, sequence, occurred_at)


def seed_unit_head(
    session: Session,
    unit_code: str,
    unit_name: str,
    person_id: str,
    person_name: str,
    since: date = date(2021, 9, 1),
) -> None:
    """The unit (known to the grid), its own grid cell (level 2) and its 网格负责人 from
    ``since``."""
    seed_grid_units(session, {unit_code: unit_name})
    cell_id = f"cell-{unit_code.lower()}"
    session.add(
        GridCell(
            cell_id=cell_id,
            code=unit_code,
            name=unit_name,
            level=2,
            parent_id=None,
            unit_code=unit_code,
            area_type="teaching",
            last_sequence=1,
        )
    )
    session.add(
        GridAssignment(
            assignment_id=f"a-{cell_id}",
            cell_id=cell_id,
            person_id=person_id,
            person_name=person_name,
            role="head",
            effective_from=since,
            effective_to=None,
            last_sequence=1,
        )
    )


def seed_grid_units(session: Session, units: dict[str, str], kind: str = "college") -> None:
    """Units the grid knows (code -> name), as the grid's unit.changed events leave them:
    only these join a campaign's flags."""
    for code, name in units.items():
        if session.get(GridUnit, code) is None:
            session.add(GridUnit(code=code, name=name, kind=kind, last_sequence=1))
    session.flush()
