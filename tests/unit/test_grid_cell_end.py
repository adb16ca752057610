"""Ending a place (停用): the rule, the API, its events, and what an ended place refuses."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from services.grid import domain
from shared.api import state
from shared.events.outbox import OutboxMessage
from tests.support.fixtures import bearer

SO = bearer("security_office")
JD_MANAGER = bearer("unit_manager", unit="JD")
XX_MANAGER = bearer("unit_manager", unit="XX")
DAY = date(2026, 3, 1)


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_rule_refuses_the_college_a_unit_an_ended_place_and_open_places_below():
    for level in (1, 2):
        with pytest.raises(domain.TreeConflict, match="只能停用地点"):
            domain.check_end_place(level, None, [], DAY, DAY)
    with pytest.raises(domain.TreeConflict, match="已于 2026-02-01 停用"):
        domain.check_end_place(3, date(2026, 2, 1), [], DAY, DAY)
    with pytest.raises(domain.TreeConflict, match="还有 1 个未停用的地点"):
        domain.check_end_place(3, None, ["c"], DAY, DAY)
    with pytest.raises(domain.PlaceEnded, match="不能晚于今天"):
        domain.check_end_place(3, None, [], date(2026, 3, 2), DAY)
    domain.check_end_place(4, None, [], DAY, DAY)


@pytest.fixture
def grid(make_app):
    app = make_app("grid")
    client = app.test_client()
    for code in ("JD", "XX"):
        unit = {"code": code, "name": code, "kind": "college"}
        ok(client.post("/units", json=unit, headers=SO), 201)
    root = {"code": "ROOT", "name": "学院", "area_type": "campus"}
    ids = {"root": ok(client.post("/cells", json=root, headers=SO), 201)["id"]}
    for code in ("JD", "XX"):
        cell = {"code": code, "name": code, "area_type": "unit", "parent_id": ids["root"]}
        ids[code] = ok(client.post("/cells", json=cell | {"unit_code": code}, headers=SO), 201)[
            "id"
        ]
    place = {"code": "JD-B1", "name": "1号楼", "area_type": "teaching", "parent_id": ids["JD"]}
    ids["building"] = ok(client.post("/cells", json=place, headers=JD_MANAGER), 201)["id"]
    floor = {"code": "JD-B1-F1", "name": "1层", "area_type": "teaching"}
    floor["parent_id"] = ids["building"]
    ids["floor"] = ok(client.post("/cells", json=floor, headers=JD_MANAGER), 201)["id"]
    person = {"name": "王芳", "phone": "13700001111", "unit_code": "JD"}
    ids["person"] = ok(client.post("/people", json=person, headers=SO), 201)["id"]
    assignment = {
        "cell_id": ids["floor"],
        "person_id": ids["person"],
        "role": "head",
        "effective_from": "2021-10-01",
    }
    ok(client.post("/assignments", json=assignment, headers=SO), 201)
    client.ids = ids
    client.app_ = app
    return client


def end(grid, cell_id, headers=SO, **body):
    return grid.post(f"/cells/{cell_id}/end", json={"reason": "教学楼拆除"} | body, headers=headers)


def cell_events(grid, cell_id):
    with grid.app_.app_context(), state().session_factory() as session:
        bodies = session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
    return [
        json.loads(b)
        for b in bodies
        if json.loads(b)["type"] in ("cell.changed", "assignment.changed")
        and json.loads(b)["data"]["cell_id"] == cell_id
    ]


def test_ending_a_place_ends_its_assignments_and_announces_the_end(grid):
    ids = grid.ids
    refused = end(grid, ids["building"])
    assert refused.status_code == 409
    assert "还有 1 个未停用的地点" in refused.get_json()["detail"]
    assert end(grid, ids["XX"]).status_code == 409
    assert end(grid, ids["floor"], headers=XX_MANAGER).status_code == 403

    cell = ok(end(grid, ids["floor"], headers=JD_MANAGER, ended_on="2024-06-30"))
    assert (cell["ended_on"], cell["end_reason"]) == ("2024-06-30", "教学楼拆除")
    history = ok(grid.get(f"/cells/{ids['floor']}/assignments", headers=SO))
    assert [a["effective_to"] for a in history] == ["2024-06-30"]
    events = cell_events(grid, ids["floor"])
    assert [e["type"] for e in events[-2:]] == ["assignment.changed", "cell.changed"]
    assert events[-1]["data"]["ended_on"] == "2024-06-30"
    assert events[-1]["data"]["end_reason"] == "教学楼拆除"

    again = end(grid, ids["floor"])
    assert again.status_code == 409 and "已于 2024-06-30 停用" in again.get_json()["detail"]
    ok(end(grid, ids["building"]))  # its only place below is ended now


def test_an_ended_place_is_out_of_lists_gaps_and_takes_nothing_new(grid):
    ids = grid.ids
    ok(end(grid, ids["floor"], ended_on="2024-06-30"))
    listed = ok(grid.get("/cells", query_string={"unit_code": "JD"}, headers=SO))
    assert ids["floor"] not in [c["id"] for c in listed]
    everything = ok(
        grid.get("/cells", query_string={"unit_code": "JD", "include_ended": "true"}, headers=SO)
    )
    assert {c["id"]: c["ended_on"] for c in everything}[ids["floor"]] == "2024-06-30"
    gaps = ok(grid.get("/cells/gaps", headers=SO))
    assert ids["floor"] not in [g["cell"]["id"] for g in gaps]

    child = {"code": "JD-B1-F1-R1", "name": "101", "area_type": "teaching"}
    refused = grid.post("/cells", json=child | {"parent_id": ids["floor"]}, headers=SO)
    assert refused.status_code == 409 and "停用" in refused.get_json()["detail"]
    moved = grid.post(f"/cells/{ids['floor']}/move", json={"parent_id": ids["JD"]}, headers=SO)
    assert moved.status_code == 409
    assignment = {"cell_id": ids["floor"], "person_id": ids["person"], "role": "responsible"}
    assert grid.post("/assignments", json=assignment, headers=SO).status_code == 409


def test_a_future_end_date_and_a_short_reason_are_refused_beside_their_fields(grid):
    future = end(grid, grid.ids["floor"], ended_on="2999-01-01")
    assert future.status_code == 422
    assert future.get_json()["invalid_params"][0]["name"] == "ended_on"
    short = end(grid, grid.ids["floor"], reason="拆")
    assert short.status_code == 422
    assert "reason" in [p["name"] for p in short.get_json()["invalid_params"]]
