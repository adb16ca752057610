"""Rule 2 — extensions cannot launder lateness (the hazard ledger's side).

限期整改 (三、(七)) gives every hazard a time limit; an extension (延期) moves it. It is
asked before the deadline; once the deadline has passed only the security office (安全
保卫处, the leadership group's office) asks for or decides one. Nobody decides an
extension for their own unit's hazard — a unit manager never approves a colleague's request
— except the security office; a lead department (牵头部门) decides for its categories, in
other units. The history keeps the deadline that was replaced, and the lateness the sweep
already announced stays announced — as does lateness no sweep saw before the extension was
approved. The deadline itself is set at 登记评估; the loop's later steps may bring it
forward, never push it out (only an extension does). One request waits at a time, and
approving one never shortens the deadline.
"""

from __future__ import annotations

from datetime import date

import pytest

from services.hazards.models import ExtensionRequest
from tests.scenarios.accountability.hazard_world import (
    BWC,
    JD,
    JD2,
    JWC,
    REMEDIATION,
    SO,
    SO2,
    XCB,
    Ledger,
)
from tests.scenarios.accountability.reporting_world import at
from tests.support.fixtures import bearer

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


def test_no_step_of_the_loop_pushes_the_deadline_out(ledger):
    """限期整改: the time limit is set when the hazard is registered (登记评估); afterwards
    the unit's own steps may bring it forward, never push it out — 机电工程学院 cannot give
    itself a month more when it starts remediation: a later deadline goes through 延期申请,
    decided outside the unit. A refused step is a 422 naming ``deadline`` and changes
    nothing."""
    hazard = ledger.in_remediation(deadline="2021-11-30")
    later = {**REMEDIATION, "deadline": "2021-12-31"}
    other = ledger.report()
    ledger.step(other["id"], "register", {"deadline": "2021-11-30"})
    ledger.step(other["id"], "report")
    refused = ledger.post(f"/hazards/{other['id']}/start-remediation", later)
    assert refused.status_code == 422, refused.get_json()
    assert refused.content_type == "application/problem+json"
    [param] = refused.get_json()["invalid_params"]
    assert param["name"] == "deadline" and "整改期限只能通过延期申请推后" in param["reason"]
    shown = ledger.get(other["id"])
    assert (shown["status"], shown["deadline"]) == ("reported", "2021-11-30")

    earlier = ledger.step(
        other["id"], "start-remediation", {**REMEDIATION, "deadline": "2021-11-26"}
    )
    assert earlier["deadline"] == "2021-11-26"  # brought forward: allowed

    # A deadline given when the hazard was reported stands at registration too.
    given = ledger.report(deadline="2021-11-25")
    pushed = ledger.post(f"/hazards/{given['id']}/register", {"deadline": "2021-12-25"})
    assert pushed.status_code == 422, pushed.get_json()
    assert [p["name"] for p in pushed.get_json()["invalid_params"]] == ["deadline"]
    assert ledger.step(given["id"], "register", {"deadline": "2021-11-24"})["deadline"] == (
        "2021-11-24"
    )

    # The way to a later deadline: asked, and decided outside the unit.
    ledger.on("2021-11-22")
    request = ask(ledger, hazard["id"], "2021-12-31", JD).get_json()
    assert decide(ledger, request["id"], BWC).status_code == 200
    assert ledger.get(hazard["id"])["deadline"] == "2021-12-31"


def test_one_request_waits_at_a_time(ledger):
    """A second 延期申请 while one waits is a 409 naming the pending one (it would be
    decided against a deadline the first may move); once that is decided, the unit may
    ask again."""
    hazard = ledger.in_remediation(deadline="2021-11-30")
    ledger.on("2021-11-22")
    first = ask(ledger, hazard["id"], "2021-12-15", JD).get_json()
    second = ask(ledger, hazard["id"], "2021-12-31", JD2)
    assert second.status_code == 409, second.get_json()
    assert second.content_type == "application/problem+json"
    assert second.get_json()["pending_request_id"] == first["id"]
    assert first["id"] in second.get_json()["detail"]
    listed = ledger.client.get(f"/hazards/{hazard['id']}/extensions", headers=SO).get_json()
    assert [r["id"] for r in listed] == [first["id"]]

    assert decide(ledger, first["id"], BWC, approve=False).status_code == 200
    again = ask(ledger, hazard["id"], "2021-12-31", JD2)
    assert again.status_code == 201, again.get_json()


def test_approving_never_shortens_the_deadline(ledger):
    """An approved extension moves the deadline later, never earlier: a request that
    waited while the deadline moved past what it asks for (two requests left pending from
    before the one-at-a-time rule) is a 409 when approved, with the reason; it can still be
    refused."""
    hazard = ledger.in_remediation(deadline="2021-11-30")
    ledger.on("2021-11-22")
    short = ask(ledger, hazard["id"], "2021-12-15", JD).get_json()
    with ledger.session() as session:  # a second request, asked before the rule existed
        session.add(
            ExtensionRequest(
                id="legacy-request",
                hazard_id=hazard["id"],
                requested_by="deputy-JD",
                requested_deadline=date(2021, 12, 31),
                reason="施工队排期",
                deadline_when_asked=date(2021, 11, 30),
                asked_after_deadline=False,
                status="pending",
                created_at=at("2021-11-22", 11),
            )
        )
        session.commit()
    assert decide(ledger, "legacy-request", BWC).status_code == 200
    assert ledger.get(hazard["id"])["deadline"] == "2021-12-31"

    shorter = decide(ledger, short["id"], BWC)
    assert shorter.status_code == 409, shorter.get_json()
    assert shorter.content_type == "application/problem+json"
    assert shorter.get_json()["current_deadline"] == "2021-12-31"
    shown = ledger.get(hazard["id"])
    assert shown["deadline"] == "2021-12-31"
    assert [e["data"]["deadline"] for e in ledger.events("hazard.deadline_extended")] == [
        "2021-12-31"
    ]
    listed = ledger.client.get(f"/hazards/{hazard['id']}/extensions", headers=SO).get_json()
    assert {r["id"]: r["status"] for r in listed}[short["id"]] == "pending"
    assert decide(ledger, short["id"], BWC, approve=False).status_code == 200


def test_an_extension_approved_before_the_sweep_ran_keeps_the_lateness(ledger):
    """「延期不能抹去已发生的逾期」: the deadline 11-30 passed; on 12-01 at 09:00, before the
    day's sweep, the security office asks and another of its people approves a new
    deadline. The lateness that ran is announced first (hazard.overdue for 11-30, dated
    when the extension was approved), then the extension — it is not lost because no
    sweep happened to run in between."""
    hazard = ledger.in_remediation(deadline="2021-11-30")
    assert ledger.sweep("2021-11-30", 23)["overdue"] == 0
    ledger.on("2021-12-01", 9)
    request = ask(ledger, hazard["id"], "2021-12-20", SO).get_json()
    assert decide(ledger, request["id"], SO2).status_code == 200

    late = [e for e in ledger.events(subject=hazard["id"]) if e["type"] != "hazard.created"]
    kinds = [e["type"] for e in late][-2:]
    assert kinds == ["hazard.overdue", "hazard.deadline_extended"]
    overdue, extended = late[-2:]
    assert overdue["data"]["deadline"] == "2021-11-30" and overdue["data"]["overdue"] is True
    assert overdue["occurred_at"] == "2021-12-01T01:00:00+00:00"
    assert extended["sequence"] == overdue["sequence"] + 1
    assert extended["data"]["deadline"] == "2021-12-20"
    assert ledger.sweep("2021-12-01", 10)["overdue"] == 0  # announced once
