"""Rule 2 — extensions cannot launder lateness (the hazard ledger's side).

限期整改 (三、(七)) gives every hazard a time limit; an extension (延期) moves it. It is
asked before the deadline; once the deadline has passed only the security office (安全
保卫处, the leadership group's office) asks for or decides one. Nobody decides an
extension for their own unit's hazard — a unit manager never approves a colleague's request
— except the security office; a lead department (牵头部门) decides for its categories, in
other units. The history keeps the deadline that was replaced, and the lateness the sweep
already announced stays announced.
"""

from __future__ import annotations

import pytest

from shared.testing.fixtures import bearer
from tests.scenarios.accountability.hazard_world import BWC, JD, JD2, JWC, SO, SO2, XCB, Ledger

JWC_MANAGER = bearer("unit_manager", unit="JWC", sub="manager-JWC")  # 教务处's own office


@pytest.fixture
def ledger(make_app, monkeypatch):
    return Ledger(make_app("hazards"), monkeypatch)


def ask(ledger: Ledger, hazard_id: str, new_deadline: str, who: dict):
    body = {"new_deadline": new_deadline, "reason": "防火门需定制，到货后安装"}
    return ledger.post(f"/hazards/{hazard_id}/extensions", body, who)


def decide(ledger: Ledger, request_id: str, who: dict, approve: bool = True):
    body = {"approve": approve, "comment": "同意"}
    return ledger.post(f"/hazards/extensions/{request_id}/decision", body, who)


def test_before_the_deadline_the_lead_department_decides_never_a_colleague_of_the_unit(ledger):
    """延期 asked in time by 机电工程学院's manager: his deputy (same unit) cannot approve
    it, nor a department that does not lead fire safety; 安全保卫处, which leads 消防安全
    整治, does — and the history says which deadline it replaced."""
    hazard = ledger.in_remediation(deadline="2021-11-30")
    ledger.on("2021-11-25")
    asked = ask(ledger, hazard["id"], "2021-12-15", JD)
    assert asked.status_code == 201, asked.get_json()
    request = asked.get_json()
    assert (request["asked_after_deadline"], request["deadline_when_asked"]) == (
        False,
        "2021-11-30",
    )

    for outsider in (JD2, XCB):  # a colleague of the unit; a department leading neither
        refused = decide(ledger, request["id"], outsider)
        assert refused.status_code == 403, refused.get_json()
        assert refused.content_type == "application/problem+json"
    assert ledger.get(hazard["id"])["deadline"] == "2021-11-30"

    approved = decide(ledger, request["id"], BWC)
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "approved"
    assert ledger.get(hazard["id"])["deadline"] == "2021-12-15"
    [extended] = ledger.events("hazard.deadline_extended")
    assert extended["data"]["deadline"] == "2021-12-15"
    last = ledger.history(hazard["id"])[-1]
    assert last["action"] == "extend" and "2021-11-30 → 2021-12-15" in last["comment"]


def test_after_the_deadline_only_the_security_office_asks_and_decides(ledger):
    """Past 限期 the unit cannot ask any more, and the lead department cannot decide: the
    security office does both (two of its people: nobody approves his own request). The
    overdue already announced for the old deadline stays in the history."""
    hazard = ledger.in_remediation(deadline="2021-11-30")
    assert ledger.sweep("2021-12-01")["overdue"] == 1  # late since 12-01
    ledger.on("2021-12-02")

    refused = ask(ledger, hazard["id"], "2021-12-20", JD)
    assert refused.status_code == 403, refused.get_json()
    assert ledger.client.get(f"/hazards/{hazard['id']}/extensions", headers=SO).get_json() == []

    asked = ask(ledger, hazard["id"], "2021-12-20", SO)
    assert asked.status_code == 201, asked.get_json()
    request = asked.get_json()
    assert (request["asked_after_deadline"], request["deadline_when_asked"]) == (
        True,
        "2021-11-30",
    )
    for not_now in (BWC, JD2):
        assert decide(ledger, request["id"], not_now).status_code == 403
    assert decide(ledger, request["id"], SO).status_code == 409  # his own request
    assert decide(ledger, request["id"], SO2).status_code == 200

    shown = ledger.get(hazard["id"])
    assert shown["deadline"] == "2021-12-20"
    history = [(h["action"], h["comment"]) for h in ledger.history(hazard["id"])]
    assert ("overdue", "逾期：限期 2021-11-30") in history
    assert history[-1][0] == "extend" and "2021-11-30 → 2021-12-20" in history[-1][1]
    [overdue] = ledger.events("hazard.overdue")
    assert overdue["data"]["deadline"] == "2021-11-30" and overdue["data"]["overdue"] is True


def test_a_lead_department_does_not_decide_for_its_own_unit(ledger):
    """教务处 leads the laboratories (十、实验实训室危化品安全整治), but a laboratory hazard
    of 教务处's own office is decided by the security office, not by 教务处 itself."""
    hazard = ledger.report(
        who=SO, unit_code="JWC", category="lab_chemicals", description="化学品柜未上锁"
    )
    ledger.step(hazard["id"], "register", {"deadline": "2021-11-30"}, JWC_MANAGER)
    ledger.on("2021-11-22")
    request = ask(ledger, hazard["id"], "2021-12-10", JWC_MANAGER).get_json()
    assert decide(ledger, request["id"], JWC).status_code == 403
    assert decide(ledger, request["id"], SO).status_code == 200
