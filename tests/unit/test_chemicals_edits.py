"""Editing the hazardous chemicals register (危化品): a catalogue entry is corrected by the
office or 教务处 (the lead department), a store by its unit; both with If-Match, refusals
as Chinese problems naming the field, and a store's capacity never below what it holds."""

from __future__ import annotations

import pytest

from tests.support.fixtures import bearer
from tests.unit.test_chemicals_register import (
    ETHANOL,
    JD,
    JWC,
    SO,
    XX,
    item,
    move,
    ok,
    problem,
    store,
)
from tests.unit.test_chemicals_register import app as app  # noqa: F401 (fixture)
from tests.unit.test_chemicals_register import client as client  # noqa: F401 (fixture)


def test_the_lead_department_corrects_a_catalogue_entry_with_its_version(client):
    item_id = item(client)
    reply = client.get(f"/chemicals/{item_id}", headers=XX)  # the catalogue is college-wide
    assert reply.status_code == 200 and reply.headers["ETag"] == '"1"'
    changes = {"name": "乙醇（无水）", "highly_toxic": True, "hazard_class": "toxic"}
    reply = client.patch(f"/chemicals/{item_id}", json=changes, headers={**JWC, "If-Match": '"1"'})
    body = ok(reply)
    assert body["name"] == "乙醇（无水）" and body["highly_toxic"] is True
    assert body["hazard_class_label"] == "毒害品" and reply.headers["ETag"] == '"2"'
    # a second edit from the same stale page is refused, with the current version
    stale = client.patch(
        f"/chemicals/{item_id}", json={"measure": "L"}, headers={**SO, "If-Match": '"1"'}
    )
    assert stale.status_code == 412 and "已被修改" in stale.get_json()["detail"]
    listed = ok(client.get("/chemicals", headers=JD))
    assert [i["name"] for i in listed] == ["乙醇（无水）"]


def test_a_catalogue_edit_is_refused_to_a_unit_and_names_a_bad_or_taken_cas(client):
    item_id = item(client)
    other = item(client, {**ETHANOL, "name": "丙酮", "cas_no": "67-64-1"})
    assert client.patch(f"/chemicals/{item_id}", json={"name": "x"}, headers=JD).status_code == 403
    names, detail = problem(
        client.patch(f"/chemicals/{other}", json={"cas_no": "64-17-5"}, headers=SO), 409
    )
    assert names == ["cas_no"] and "已在目录中" in detail
    names, detail = problem(
        client.patch(f"/chemicals/{other}", json={"cas_no": "丙酮"}, headers=SO)
    )
    assert names == ["cas_no"] and "CAS 号格式" in detail
    assert (
        client.patch(f"/chemicals/{other}", json={"cas_no": "67-64-1"}, headers=SO).status_code
        == 200
    )
    assert client.get("/chemicals/nope", headers=SO).status_code == 404


def test_a_store_is_edited_by_its_unit_and_keeps_its_capacity_above_what_it_holds(client):
    store_id, item_id = store(client), item(client)
    ok(move(client, store_id, item_id, "purchase", 500), 201)
    reply = client.get(f"/chemical-stores/{store_id}", headers=JD)
    assert reply.headers["ETag"] == '"1"'
    url = f"/chemical-stores/{store_id}"
    assert client.patch(url, json={"keeper_name": "王"}, headers=XX).status_code == 403
    names, detail = problem(client.patch(url, json={"capacity": 499}, headers=JD))
    assert names == ["capacity"] and "现存 500" in detail
    changes = {"capacity": 500, "keeper_name": "王芳", "segregation_class": "acid"}
    body = ok(client.patch(url, json=changes, headers={**JD, "If-Match": '"1"'}))
    assert (body["capacity"], body["keeper_name"], body["version"]) == (500, "王芳", 2)
    assert body["segregation_class_label"] == "酸性腐蚀品"
    # a move to another unit's place is refused to JD's manager
    assert client.patch(url, json={"cell_id": "xlab"}, headers=JD).status_code == 403
    assert ok(client.patch(url, json={"cell_id": "xlab"}, headers=SO))["unit_code"] == "XX"
    assert ok(client.get("/chemical-stores", headers=XX))[0]["id"] == store_id


@pytest.mark.parametrize("body", [{"capacity": 0}, {"keeper_name": ""}, {"segregation_class": "x"}])
def test_a_store_edit_names_the_bad_field(client, body):
    store_id = store(client)
    names, _ = problem(client.patch(f"/chemical-stores/{store_id}", json=body, headers=JD))
    assert names == list(body)


def test_each_caller_learns_whether_they_keep_the_catalogue(client):
    """The console offers the catalogue's buttons by this answer: the office and 教务处 (危化品's
    lead department) keep it; another lead department, a unit's manager or a teacher do not."""
    other_lead = bearer("lead_department", unit="HQC", sub="lead-HQC")
    teacher = bearer("teacher", unit="JD", sub="teacher-JD")
    answers = {
        name: ok(client.get("/chemicals/keeper", headers=headers))["may_keep_catalogue"]
        for name, headers in (
            ("office", SO),
            ("教务处", JWC),
            ("后勤处", other_lead),
            ("manager", JD),
            ("teacher", teacher),
        )
    }
    assert answers == {
        "office": True,
        "教务处": True,
        "后勤处": False,
        "manager": False,
        "teacher": False,
    }
    # and the refusal agrees with the answer
    refused = client.post("/chemicals", json=ETHANOL, headers=other_lead)
    assert refused.status_code == 403 and "教务处" in refused.get_json()["detail"]
