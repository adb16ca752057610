"""drill.problem_found in the hazard ledger (SQLite, no broker), applied as its consumer
applies a batch: grid and education events arrive in any order, and a problem naming a
cell the ledger's grid copy does not know yet still opens its hazard (never a retry loop
ending in the dead-letter queue); numbering follows the campus time zone setting."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from services.hazards import domain
from services.hazards.models import Hazard
from shared.api import state
from shared.events import Envelope
from shared.events.consumer import ACK
from shared.events.outbox import OutboxMessage
from tests.support import events as batches
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of

SO = bearer("security_office", sub="office")
CELL = "0b6c8a52-3f7e-4c55-9a51-6f1d2b7c9e10"


def problem(cell_id: str | None = CELL, found_at: str = "2021-11-10T09:00:00+08:00", **data):
    problem_id = str(uuid.uuid4())
    body = {
        "drill_id": "drill-1",
        "problem_id": problem_id,
        "unit_code": "JD",
        "cell_id": cell_id,
        "category": "fire",
        "severity": "major",
        "description": "3层安全出口指示灯不亮",
        "found_at": found_at,
        **data,
    }
    return Envelope("drill.problem_found", 1, "education", problem_id, 1, body, actor="office")


def cell_changed(cell_id: str = CELL, unit_code: str = "JD") -> Envelope:
    body = {
        "cell_id": cell_id,
        "code": "JD-B1",
        "name": "1号教学楼",
        "level": 3,
        "parent_id": None,
        "unit_code": unit_code,
        "area_type": "teaching",
        "location": "东区",
    }
    return Envelope("cell.changed", 1, "grid", cell_id, 1, body)


def consume(app, *events: Envelope) -> dict[int, str]:
    """One consumer batch: the events as JSON off the wire, applied and committed."""
    with app.app_context(), state().session_factory() as session:
        return batches.consume(session, handlers_of("hazards", state().settings), events)


def hazards(app) -> list[Hazard]:
    with app.app_context(), state().session_factory() as session:
        return list(session.scalars(select(Hazard).order_by(Hazard.number)))


def created_events(app) -> list[dict]:
    with app.app_context(), state().session_factory() as session:
        bodies = session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.event_type == "hazard.created")
        )
        return [json.loads(b) for b in bodies]


@pytest.fixture
def app(make_app):
    return make_app("hazards")


def test_a_cell_the_ledger_does_not_know_yet_opens_the_hazard_on_the_unit(app):
    """Education names a cell before the grid's cell.changed reached the ledger: the
    hazard opens on the problem's unit, the cell id kept as its location; the message is
    acked (it used to fail, be retried at once and be dead-lettered after 5 deliveries)."""
    found = problem()
    assert consume(app, found, cell_changed()) == {1: ACK, 2: ACK}
    [hazard] = hazards(app)
    assert (hazard.unit_code, hazard.cell_id) == ("JD", None)
    assert CELL in hazard.location
    assert hazard.description == "3层安全出口指示灯不亮"
    assert (hazard.source, hazard.source_ref, hazard.severity) == (
        "drill",
        found.data["problem_id"],
        "major",
    )
    [announced] = created_events(app)
    assert announced["data"]["unit_code"] == "JD" and announced["data"]["cell_id"] is None
    # Delivered again (a redelivery, or the problem announced afresh): still one hazard.
    again = Envelope(found.type, 1, found.source, found.subject, 1, found.data)
    assert consume(app, found, again) == {1: ACK, 2: ACK}
    assert len(hazards(app)) == 1


def test_a_known_cell_places_the_hazard_in_it(app):
    assert consume(app, cell_changed(), problem()) == {1: ACK, 2: ACK}
    [hazard] = hazards(app)
    assert (hazard.unit_code, hazard.cell_id, hazard.location) == ("JD", CELL, None)


def test_a_problem_without_a_cell_opens_on_its_unit(app):
    assert consume(app, problem(cell_id=None)) == {1: ACK}
    [hazard] = hazards(app)
    assert (hazard.unit_code, hazard.cell_id, hazard.location) == ("JD", None, None)


def test_an_unknown_cell_id_too_long_for_the_location_stays_in_the_description():
    cell_id = "x" * 300
    place = domain.drill_problem_place("JD", cell_id, None)
    assert (place.unit_code, place.cell_id) == ("JD", None)
    assert len(place.location) == domain.LOCATION_MAX
    assert cell_id in place.note
    assert domain.drill_problem_place("JD", CELL, "XX") == domain.Place("XX", CELL)
    assert domain.drill_problem_place("JD", None, None) == domain.Place("JD", None)


def test_drill_hazards_are_numbered_in_the_configured_campus_time_zone(make_app, monkeypatch):
    """03:00 UTC on 1 January 2022 is still 2021 in New York (2022 in Shanghai, the
    default): with CAMPUS_TIMEZONE=America/New_York the handler numbers the hazard in
    2021, like the web app of the same configuration."""
    monkeypatch.setenv("CAMPUS_TIMEZONE", "America/New_York")
    app = make_app("hazards")
    with app.app_context():
        assert state().settings.campus_timezone == "America/New_York"
    new_year = "2022-01-01T03:00:00+00:00"
    assert consume(app, problem(cell_id=None, found_at=new_year)) == {1: ACK}
    reported = app.test_client().post(
        "/hazards",
        json={"unit_code": "JD", "category": "fire", "description": "x", "found_at": new_year},
        headers=SO,
    )
    assert reported.status_code == 201, reported.get_json()
    assert [h.number for h in hazards(app)] == ["YH-2021-00001", "YH-2021-00002"]
