"""Rule 14 — found dates are facts.

The ledger (「对排查出来的隐患建立台账」, 三、(七)) records when each hazard was found
(排查(发现), the first link of the closed loop), and accountability counts from it: a
hazard found in the future — beyond 5 minutes of clock skew — is a 422 naming ``found_at``
and records nothing; so is an inspection (日检查) performed in the future
(``performed_at``), whose failed items would become hazards found then.
"""

from __future__ import annotations

import pytest

from tests.scenarios.accountability.hazard_world import JD, SO, Ledger

NOW = "2021-11-20T10:00:00+08:00"  # the fixed clock: 10:00 on campus


@pytest.fixture
def ledger(make_app, monkeypatch):
    ledger = Ledger(make_app("hazards"), monkeypatch, day="2021-11-20")
    ledger.place("JD", "jd-b1", "1号教学楼")
    return ledger


def report(ledger: Ledger, found_at: str, **headers: str):
    body = {"unit_code": "JD", "category": "fire", "description": "灭火器过期"}
    return ledger.post("/hazards", {**body, "found_at": found_at}, JD, **headers)


def test_a_hazard_found_in_the_future_is_refused_naming_found_at(ledger):
    """At 10:00, a hazard «found» at 10:06 (or tomorrow) is refused with 422 naming
    found_at, whether or not it carries an Idempotency-Key; nothing is recorded. 10:04 is
    within the clock skew; yesterday is fine."""
    for found_at, headers in (
        ("2021-11-20T10:06:00+08:00", {}),
        ("2021-11-21T09:00:00+08:00", {}),
        ("2021-11-20T02:05:01+00:00", {"Idempotency-Key": "portal-1"}),  # 10:05:01 campus
    ):
        refused = report(ledger, found_at, **headers)
        assert refused.status_code == 422, (found_at, refused.get_json())
        assert refused.content_type == "application/problem+json"
        assert [p["name"] for p in refused.get_json()["invalid_params"]] == ["found_at"]
    assert ledger.client.get("/hazards", headers=SO).get_json() == []
    assert ledger.events() == []

    assert report(ledger, "2021-11-20T10:04:00+08:00").status_code == 201
    assert report(ledger, "2021-11-19T16:00:00+08:00").status_code == 201
    found = sorted(h["found_at"] for h in ledger.client.get("/hazards", headers=SO).get_json())
    assert found == ["2021-11-19T08:00:00+00:00", "2021-11-20T02:04:00+00:00"]


def test_an_inspection_performed_in_the_future_is_refused_naming_performed_at(ledger):
    """An inspection of 1号教学楼 dated tomorrow opens no hazard: 422 naming performed_at."""
    [template] = ledger.client.get("/checklists?category=fire", headers=SO).get_json()
    items = ledger.client.get(f"/checklists/{template['id']}", headers=SO).get_json()["items"]
    results = [{"code": item["code"], "result": "fail"} for item in items]
    body = {"template_id": template["id"], "cell_id": "jd-b1", "results": results}
    refused = ledger.post("/inspections", {**body, "performed_at": "2021-11-21T09:00:00+08:00"}, JD)
    assert refused.status_code == 422, refused.get_json()
    assert [p["name"] for p in refused.get_json()["invalid_params"]] == ["performed_at"]
    assert ledger.client.get("/inspections", headers=SO).get_json() == []
    assert ledger.client.get("/hazards", headers=SO).get_json() == []

    done = ledger.post("/inspections", {**body, "performed_at": NOW}, JD)
    assert done.status_code == 201, done.get_json()
    assert len(done.get_json()["hazard_numbers"]) == len(items)
