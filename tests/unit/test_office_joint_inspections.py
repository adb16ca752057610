"""Joint inspections with outside agencies (协同联动) over HTTP (SQLite, no broker): the
security office records them, the campus-wide readers read them, and each finding opens one
hazard whose source is the joint inspection, linked both ways."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.hazards.models import Hazard
from services.hazards.office.joint_inspections import domain
from shared.api import state
from shared.events.outbox import OutboxMessage
from tests.support.office import JD, LEAD, LEADER, SO, STAFF, ok, problem_fields, seed_grid

RECORD = {
    "inspected_on": "2021-11-20",
    "agencies": ["城关区消防救援大队", "雁滩派出所"],
    "members": ["张保卫", "李警官"],
    "cell_ids": ["b1", "dorm"],
    "note": "冬季防火联合检查",
}


@pytest.fixture
def client(make_app):
    return seed_grid(make_app("hazards")).test_client()


def create(client, **changes) -> dict:
    return ok(client.post("/joint-inspections", json={**RECORD, **changes}, headers=SO), 201)


def test_a_joint_inspection_finding_opens_a_hazard_with_its_source(client):
    record = create(client)
    assert [p["name"] for p in record["places"]] == ["1号教学楼", "2号宿舍楼"]
    path = f"/joint-inspections/{record['id']}/findings"
    body = {"cell_id": "dorm", "category": "fire", "description": "宿舍楼疏散指示灯损坏"}
    finding = ok(client.post(path, json=body, headers=SO), 201)
    assert ok(client.post(path, json=body, headers=SO))["id"] == finding["id"]  # once
    with client.application.app_context(), state().session_factory() as session:
        opened = session.scalars(select(Hazard).where(Hazard.source == domain.SOURCE)).all()
        events = session.scalars(select(OutboxMessage.event_type)).all()
    assert len(opened) == 1 and opened[0].id == finding["hazard_id"]
    hazard = opened[0]
    assert hazard.source_ref == finding["id"] and hazard.unit_code == "XX"
    assert "雁滩派出所" in hazard.description and hazard.found_at.date().isoformat() <= "2021-11-20"
    assert events == ["hazard.created"]  # the ledger's own report command announced it
    # linked both ways: the record lists the hazard, the hazard finds its record
    detail = ok(client.get(f"/joint-inspections/{record['id']}", headers=LEADER))
    assert detail["findings"][0]["hazard_number"] == hazard.number
    back = ok(client.get("/joint-inspections", query_string={"hazard_id": hazard.id}, headers=SO))
    assert [r["id"] for r in back] == [record["id"]]


def test_findings_only_at_places_visited_with_the_ledgers_vocabulary(client):
    record = create(client)
    path = f"/joint-inspections/{record['id']}/findings"
    elsewhere = {"cell_id": "lab", "category": "fire", "description": "x"}
    assert problem_fields(client.post(path, json=elsewhere, headers=SO)) == ["cell_id"]
    wrong_sub = {
        "cell_id": "b1",
        "category": "fire",
        "subcategory": "lab_waste",
        "description": "x",
    }
    assert client.post(path, json=wrong_sub, headers=SO).status_code == 422
    assert set(problem_fields(client.post(path, json={}, headers=SO))) == {
        "cell_id",
        "category",
        "description",
    }


def test_bad_records_are_refused_naming_the_field(client):
    for changes, field in (
        ({"agencies": []}, "agencies"),
        ({"members": ["张", "张"]}, "members.1"),
        ({"cell_ids": ["b1", "nowhere"]}, "cell_ids.1"),
        ({"inspected_on": "2999-01-01"}, "inspected_on"),
        ({"inspected_on": "not a date"}, "inspected_on"),
    ):
        response = client.post("/joint-inspections", json={**RECORD, **changes}, headers=SO)
        assert problem_fields(response) == [field], changes


def test_kept_by_the_office_read_by_campus_wide_readers(client):
    for caller in (JD, STAFF, LEAD, LEADER):
        assert client.post("/joint-inspections", json=RECORD, headers=caller).status_code == 403
    record = create(client)
    path = f"/joint-inspections/{record['id']}"
    for caller in (JD, STAFF, LEAD):
        assert client.get(path, headers=caller).status_code == 403
        assert client.get("/joint-inspections", headers=caller).status_code == 403
    finding = {"cell_id": "b1", "category": "fire", "description": "灭火器过期"}
    assert client.post(f"{path}/findings", json=finding, headers=LEADER).status_code == 403
    assert client.patch(path, json={"note": "改"}, headers=LEADER).status_code == 403
    create(client, inspected_on="2021-10-01", agencies=["市场监管所"], cell_ids=["lab"])
    listed = ok(
        client.get("/joint-inspections", query_string={"with_agency": "派出所"}, headers=LEADER)
    )
    assert [r["id"] for r in listed] == [record["id"]]
    dated = {"date_from": "2021-10-01", "date_to": "2021-10-31"}
    assert len(ok(client.get("/joint-inspections", query_string=dated, headers=SO))) == 1
    at_lab = ok(client.get("/joint-inspections", query_string={"cell_id": "lab"}, headers=SO))
    assert [r["agencies"] for r in at_lab] == [["市场监管所"]]


def test_a_place_with_a_finding_stays_among_the_places_visited(client):
    record = create(client)
    path = f"/joint-inspections/{record['id']}"
    finding = {"cell_id": "b1", "category": "fire", "description": "灭火器过期"}
    ok(client.post(f"{path}/findings", json=finding, headers=SO), 201)
    dropped = client.patch(path, json={"cell_ids": ["dorm"]}, headers=SO)
    assert problem_fields(dropped) == ["cell_ids"]
    stale = client.patch(path, json={"note": "x"}, headers={**SO, "If-Match": '"7"'})
    assert stale.status_code == 412
    changed = ok(
        client.patch(path, json={"members": ["张保卫"], "cell_ids": ["b1", "lab"]}, headers=SO)
    )
    assert changed["version"] == 2 and changed["cell_ids"] == ["b1", "lab"]
