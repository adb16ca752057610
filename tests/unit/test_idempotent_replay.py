"""A resent create (Idempotency-Key) answers what GET would answer (issue 14, item 7): the
replay asks the same visibility rule, so a caller whose scope changed gets no hazard."""

from __future__ import annotations

from tests.support.fixtures import bearer

NEW = {"unit_code": "JD", "category": "fire", "description": "3号楼消防通道堆放杂物"}
KEY = "portal-retry-1"


def test_a_replay_after_the_callers_scope_changed_is_refused_like_get(client):
    in_jd = bearer("unit_manager", unit="JD", sub="moved-manager")
    first = client.post("/hazards", json=NEW, headers={**in_jd, "Idempotency-Key": KEY})
    assert first.status_code == 201, first.get_json()
    hazard = first.get_json()

    # The same account, moved to another unit: its new token no longer sees JD's ledger.
    in_xx = bearer("unit_manager", unit="XX", sub="moved-manager")
    read = client.get(f"/hazards/{hazard['id']}", headers=in_xx)
    assert read.status_code == 403
    replay = client.post("/hazards", json=NEW, headers={**in_xx, "Idempotency-Key": KEY})
    assert replay.status_code == read.status_code
    assert replay.mimetype == "application/problem+json"
    answer = replay.get_data(as_text=True)
    assert hazard["id"] not in answer and hazard["number"] not in answer
    assert NEW["description"] not in answer


def test_a_replay_in_scope_still_returns_the_first_hazard(client):
    manager = {**bearer("unit_manager", unit="JD", sub="steady-manager"), "Idempotency-Key": KEY}
    first = client.post("/hazards", json=NEW, headers=manager)
    again = client.post("/hazards", json=NEW, headers=manager)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    listed = client.get("/hazards", headers=manager).get_json()
    assert [h["id"] for h in listed] == [first.get_json()["id"]]  # created once
