"""Gate and patrol logs (门卫值守、内部巡查) over HTTP (SQLite, no broker): routes of places,
patrols checked in by scanning each place's QR code, the places missed, and a finding that
opens one hazard however often it is posted."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.hazards.models import Hazard
from services.hazards.office.patrols import domain
from shared.api import state
from tests.support.office import (
    JD,
    LEAD,
    LEADER,
    SO,
    STAFF,
    STAFF_XX,
    XX,
    ok,
    problem_fields,
    seed_grid,
)

QR = "http://127.0.0.1:5000/report?cell={}"  # what the roster poster's QR code says


@pytest.fixture
def client(make_app):
    return seed_grid(make_app("hazards")).test_client()


def route(client, cells=("b1", "f3", "lab"), headers=JD, **extra) -> dict:
    body = {"name": "机电学院晚间巡查", "unit_code": "JD", "cell_ids": list(cells), **extra}
    return ok(client.post("/patrol-routes", json=body, headers=headers), 201)


def hazards(client, source: str = domain.SOURCE) -> list[Hazard]:
    with client.application.app_context(), state().session_factory() as session:
        return list(session.scalars(select(Hazard).where(Hazard.source == source)))


def test_scan_names_the_place_of_a_roster_qr_code_or_a_typed_id():
    assert domain.scanned_place(QR.format("b1")) == "b1"
    assert domain.scanned_place("  JD-B1 ") == "JD-B1"
    assert domain.scanned_place("https://x/report?unit=JD") == "https://x/report?unit=JD"
    assert domain.missed_places(["a", "b", "c"], {"b"}) == ["a", "c"]
    assert domain.scanned_place("http://[::1/report?cell=b1") == "http://[::1/report?cell=b1"


def test_a_patrol_that_missed_a_place_lists_it(client):
    made = route(client)
    assert [p["name"] for p in made["places"]] == ["1号教学楼", "1号教学楼3层", "化工实训室"]
    patrol = ok(client.post("/patrols", json={"route_id": made["id"]}, headers=STAFF), 201)
    assert patrol["status"] == "running" and patrol["remaining"] == ["b1", "f3", "lab"]
    path = f"/patrols/{patrol['id']}"
    ok(client.post(f"{path}/check-ins", json={"scan": QR.format("b1")}, headers=STAFF), 201)
    again = client.post(f"{path}/check-ins", json={"scan": "JD-B1"}, headers=STAFF)
    assert ok(again)["checked_count"] == 1  # the same place twice is one check-in
    ok(
        client.post(
            f"{path}/check-ins", json={"cell_id": "lab", "note": "门锁完好"}, headers=STAFF
        ),
        201,
    )
    done = ok(client.post(f"{path}/finish", json={}, headers=STAFF))
    assert done["status"] == "finished" and done["missed"] == ["f3"]
    assert [p["name"] for p in done["missed_places"]] == ["1号教学楼3层"]
    listed = ok(client.get("/patrols", query_string={"has_missed": "true"}, headers=JD))
    assert [p["id"] for p in listed] == [patrol["id"]] and listed[0]["missed_count"] == 1
    refused = client.post(f"{path}/check-ins", json={"cell_id": "f3"}, headers=STAFF)
    assert problem_fields(refused, 409) == ["status"]


def test_a_finding_on_patrol_opens_one_hazard_idempotently(client):
    made = route(client)
    patrol = ok(client.post("/patrols", json={"route_id": made["id"]}, headers=STAFF), 201)
    body = {"cell_id": "f3", "category": "fire", "description": "3层灭火器压力不足"}
    path = f"/patrols/{patrol['id']}/findings"
    first = ok(client.post(path, json=body, headers=STAFF), 201)
    second = ok(
        client.post(path, json={**body, "description": " 3层灭火器压力不足 "}, headers=STAFF)
    )
    assert second["id"] == first["id"] and second["hazard_id"] == first["hazard_id"]
    opened = hazards(client)
    assert len(opened) == 1
    assert opened[0].source_ref == first["id"] and opened[0].cell_id == "f3"
    assert opened[0].found_by == "staff-JD" and "巡查" in opened[0].description
    detail = ok(client.get(f"/patrols/{patrol['id']}", headers=JD))
    assert detail["findings"][0]["hazard_number"] == opened[0].number
    assert detail["remaining"] == ["b1", "lab"]  # the finding checked its place in


def test_finding_outside_the_route_or_held_cells_is_refused_naming_the_field(client):
    made = route(client)
    patrol = ok(client.post("/patrols", json={"route_id": made["id"]}, headers=STAFF), 201)
    path = f"/patrols/{patrol['id']}/findings"
    off_route = {"cell_id": "dorm", "category": "fire", "description": "楼道堆物"}
    assert problem_fields(client.post(path, json=off_route, headers=STAFF)) == ["cell_id"]
    # the ledger's own rule: grid staff report only in the cells they hold (lab is not theirs)
    lab = {"cell_id": "lab", "category": "fire", "description": "通风橱故障"}
    assert client.post(path, json=lab, headers=STAFF).status_code == 403
    bad = client.post(path, json={"cell_id": "b1", "category": "nope"}, headers=STAFF)
    assert set(problem_fields(bad)) == {"category", "description"}
    assert hazards(client) == []


def test_routes_and_patrols_are_kept_by_their_actors_only(client):
    assert (
        client.post(
            "/patrol-routes", json={"name": "x", "unit_code": "JD", "cell_ids": ["b1"]}, headers=XX
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/patrol-routes", json={"name": "x", "cell_ids": ["b1"]}, headers=JD
        ).status_code
        == 403
    )
    other_unit = client.post(
        "/patrol-routes", json={"name": "x", "unit_code": "JD", "cell_ids": ["dorm"]}, headers=JD
    )
    assert problem_fields(other_unit) == ["cell_ids.0"]
    unknown = client.post(
        "/patrol-routes", json={"name": "x", "cell_ids": ["b1", "nowhere"]}, headers=SO
    )
    assert problem_fields(unknown) == ["cell_ids.1"]
    missing = problem_fields(client.post("/patrol-routes", json={}, headers=SO))
    assert set(missing) == {"cell_ids", "name"}
    made = route(client)
    gate = route(client, ("b1", "dorm"), SO, unit_code=None, name="北门门卫值守")
    assert (
        client.post("/patrols", json={"route_id": made["id"]}, headers=STAFF_XX).status_code == 403
    )
    assert client.post("/patrols", json={"route_id": gate["id"]}, headers=STAFF).status_code == 403
    assert client.post("/patrols", json={"route_id": made["id"]}, headers=LEAD).status_code == 403
    assert problem_fields(client.post("/patrols", json={"route_id": "nope"}, headers=SO)) == [
        "route_id"
    ]
    patrol = ok(client.post("/patrols", json={"route_id": made["id"]}, headers=STAFF), 201)
    # only the runner (or the security office) checks in and finishes
    path = f"/patrols/{patrol['id']}"
    assert client.post(f"{path}/check-ins", json={"cell_id": "b1"}, headers=JD).status_code == 403
    assert problem_fields(
        client.post(f"{path}/check-ins", json={"scan": "XX-D2"}, headers=STAFF)
    ) == ["scan"]
    assert problem_fields(client.post(f"{path}/check-ins", json={}, headers=STAFF)) == ["scan"]
    ok(client.post(f"{path}/check-ins", json={"cell_id": "b1"}, headers=SO), 201)
    # reads: the unit's people and the campus-wide readers; not another unit
    assert client.get(path, headers=XX).status_code == 403
    ok(client.get(path, headers=LEADER))
    assert ok(client.get("/patrols", headers=XX)) == []
    assert [p["id"] for p in ok(client.get("/patrols", headers=JD))] == [patrol["id"]]
    assert [r["id"] for r in ok(client.get("/patrol-routes", headers=STAFF))] == [made["id"]]
    assert {r["id"] for r in ok(client.get("/patrol-routes", headers=SO))} == {
        made["id"],
        gate["id"],
    }
    assert client.get(f"/patrol-routes/{gate['id']}", headers=JD).status_code == 403


def test_a_route_changed_or_retired_keeps_what_was_walked(client):
    made = route(client)
    patrol = ok(client.post("/patrols", json={"route_id": made["id"]}, headers=JD), 201)
    path = f"/patrol-routes/{made['id']}"
    assert client.patch(path, json={"active": False}, headers=STAFF).status_code == 403
    stale = client.patch(path, json={"name": "新"}, headers={**JD, "If-Match": '"9"'})
    assert stale.status_code == 412
    changed = ok(client.patch(path, json={"cell_ids": ["lab", "b1"], "active": False}, headers=JD))
    assert changed["cell_ids"] == ["lab", "b1"] and changed["version"] == 2
    assert ok(client.get(f"/patrols/{patrol['id']}", headers=JD))["cell_ids"] == ["b1", "f3", "lab"]
    retired = client.post("/patrols", json={"route_id": made["id"]}, headers=JD)
    assert problem_fields(retired) == ["route_id"]
    with client.application.app_context(), state().session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Hazard)) == 0
