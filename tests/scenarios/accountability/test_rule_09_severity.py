"""Rule 9 — no silent downgrade.

A major hazard (重大隐患) is what 「重大安全隐患悬而不决的给予严肃处理」(五、(三)) holds a unit to,
so its grade is a fact with a history: every change of severity records old → new and the
reason (a history row ``change_severity``, the event hazard.severity_changed), and only the
security office lowers a major hazard to general — at registration (登记评估) as well.
"""

from __future__ import annotations

import pytest

from tests.scenarios.accountability.hazard_world import BWC, JD, SO, XCB, Ledger
from tests.support.fixtures import bearer

STAFF = bearer("grid_staff", unit="JD", sub="staff-JD")


@pytest.fixture
def ledger(make_app, monkeypatch):
    return Ledger(make_app("hazards"), monkeypatch)


def regrade(ledger: Ledger, hazard_id: str, body: dict, who: dict, **headers: str):
    return ledger.post(f"/hazards/{hazard_id}/severity", body, who, **headers)


def test_raising_a_hazard_is_recorded_with_its_reason(ledger):
    """机电工程学院's manager raises a general hazard to major: the history says
    「一般隐患 → 重大隐患：<reason>」 and the event carries the new grade. A change without a
    reason is a 422 naming ``reason``; on a stale version, a 412."""
    hazard = ledger.report()
    no_reason = regrade(ledger, hazard["id"], {"severity": "major"}, JD)
    assert no_reason.status_code == 422
    assert [p["name"] for p in no_reason.get_json()["invalid_params"]] == ["reason"]
    stale = regrade(
        ledger, hazard["id"], {"severity": "major", "reason": "x"}, JD, **{"If-Match": '"7"'}
    )
    assert stale.status_code == 412

    ledger.on("2021-11-21")
    raised = regrade(
        ledger,
        hazard["id"],
        {"severity": "major", "reason": "通道为唯一疏散出口"},
        JD,
        **{"If-Match": '"1"'},
    )
    assert raised.status_code == 200, raised.get_json()
    assert (raised.get_json()["severity"], raised.headers["ETag"]) == ("major", '"2"')
    last = ledger.history(hazard["id"])[-1]
    assert (last["action"], last["actor"], last["comment"]) == (
        "change_severity",
        "manager-JD",
        "一般隐患 → 重大隐患：通道为唯一疏散出口",
    )
    assert last["at"] == "2021-11-21T02:00:00+00:00"
    [event] = ledger.events("hazard.severity_changed")
    assert (event["data"]["severity"], event["sequence"]) == ("major", 2)


def test_only_the_security_office_lowers_a_major_hazard(ledger):
    """Neither the unit's manager nor the lead department may lower 重大隐患 (403, nothing
    written); the security office may, with its reason in the history."""
    hazard = ledger.report(severity="major")
    before = len(ledger.events())
    for who in (JD, BWC, XCB, STAFF):
        refused = regrade(ledger, hazard["id"], {"severity": "general", "reason": "已缓解"}, who)
        assert refused.status_code == 403, refused.get_json()
        assert refused.content_type == "application/problem+json"
    assert len(ledger.events()) == before and ledger.get(hazard["id"])["severity"] == "major"

    lowered = regrade(ledger, hazard["id"], {"severity": "general", "reason": "复核为一般隐患"}, SO)
    assert lowered.status_code == 200, lowered.get_json()
    assert ledger.history(hazard["id"])[-1]["comment"] == "重大隐患 → 一般隐患：复核为一般隐患"
    again = regrade(ledger, hazard["id"], {"severity": "general", "reason": "x"}, SO)
    assert again.status_code == 422
    assert [p["name"] for p in again.get_json()["invalid_params"]] == ["severity"]


def test_registration_does_not_lower_a_major_hazard_silently(ledger):
    """登记评估 re-grades too: the unit registering a reported 重大隐患 as general is refused;
    the office's registration as general is recorded as a change, with its comment."""
    hazard = ledger.report(who=BWC, severity="major")  # found major by 安全保卫处's check
    body = {"deadline": "2021-11-30", "severity": "general", "comment": "现场复核"}
    refused = ledger.post(f"/hazards/{hazard['id']}/register", body, JD)
    assert refused.status_code == 403, refused.get_json()
    assert ledger.get(hazard["id"])["status"] == "discovered"

    registered = ledger.step(hazard["id"], "register", body, SO)
    assert (registered["severity"], registered["status"]) == ("general", "registered")
    steps = [(h["action"], h["comment"]) for h in ledger.history(hazard["id"])]
    assert steps[-2:] == [
        ("change_severity", "重大隐患 → 一般隐患：现场复核"),
        ("register", "现场复核"),
    ]
    types = [e["type"] for e in ledger.events(subject=hazard["id"])]
    assert types == ["hazard.created", "hazard.severity_changed", "hazard.registered"]
