"""A place the grid ended (停用) takes no new hazard: every grid projection records the
end from cell.changed and a report naming it is refused beside cell_id;
events written before the end existed still validate."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shared.api import state
from shared.events import Envelope
from shared.events.catalog import validate_data
from shared.events.consumer import ACK
from shared.grid_projection import GridCell
from tests.support import events as batches
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of

SO = bearer("security_office", sub="office")
CELL = "cell-jd-b1"
PLACE = {
    "cell_id": CELL,
    "code": "JD-B1",
    "name": "1号教学楼",
    "level": 3,
    "parent_id": None,
    "unit_code": "JD",
    "area_type": "teaching",
    "location": None,
}


def consume(app, *events: Envelope) -> None:
    with app.app_context(), state().session_factory() as session:
        outcomes = batches.consume(session, handlers_of("hazards", state().settings), events)
    assert set(outcomes.values()) == {ACK}


@pytest.fixture
def app(make_app):
    return make_app("hazards")


def test_an_old_event_without_the_end_still_validates():
    assert validate_data("cell.changed", 1, PLACE) == PLACE
    validate_data("cell.changed", 1, PLACE | {"ended_on": "2026-06-30", "end_reason": "拆除"})


def test_a_hazard_at_an_ended_place_is_refused_naming_the_place(app):
    client = app.test_client()
    consume(app, Envelope("cell.changed", 1, "grid", CELL, 1, PLACE))
    report = {"cell_id": CELL, "category": "fire", "description": "疏散通道堆放杂物"}
    assert client.post("/hazards", json=report, headers=SO).status_code == 201
    ended = PLACE | {"ended_on": "2021-06-30", "end_reason": "教学楼拆除"}
    consume(app, Envelope("cell.changed", 1, "grid", CELL, 2, ended))
    with app.app_context(), state().session_factory() as session:
        cell = session.scalar(select(GridCell).where(GridCell.cell_id == CELL))
        assert str(cell.ended_on) == "2021-06-30"
    refused = client.post("/hazards", json=report, headers=SO)
    assert refused.status_code == 422
    body = refused.get_json()
    assert "该地点已于 2021-06-30 停用" in body["detail"]
    assert [p["name"] for p in body["invalid_params"]] == ["cell_id"]


@pytest.mark.parametrize("service", ["hazards", "reporting", "education"])
def test_every_grid_projection_records_the_end(make_app, service):
    app = make_app(service)
    ended = PLACE | {"ended_on": "2021-06-30", "end_reason": "教学楼拆除"}
    with app.app_context(), state().session_factory() as session:
        handlers = handlers_of(service, state().settings)
        batches.feed(session, handlers, [Envelope("cell.changed", 1, "grid", CELL, 1, PLACE)])
        batches.feed(session, handlers, [Envelope("cell.changed", 1, "grid", CELL, 2, ended)])
        assert str(session.get(GridCell, CELL).ended_on) == "2021-06-30"
