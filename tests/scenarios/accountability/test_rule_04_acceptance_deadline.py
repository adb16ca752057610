"""Rule 4 — the right party for each delay (the hazard ledger's side).

The closed loop (五、(二) 严格闭环管理) has seven links, 「排查(发现)—登记(评估)—报告—治理(控制)—
验收—销号—备案存档」, and 「各牵头部门、各二级学院要各司其职」: a hazard its unit rectified
on time and that waits for acceptance (待验收) is not overdue for the unit; the acceptor —
the lead department of its category, or the security office when the lead is the hazard's
own unit — has CAMPUS_ACCEPTANCE_WORKING_DAYS working days (Mon–Fri, default 3), and the
sweep announces a late acceptance (hazard.acceptance_overdue) once per rectification round,
naming the acceptor.
"""

from __future__ import annotations

import pytest

from tests.scenarios.accountability.hazard_world import BWC, JD, JWC, NO_NOTHING, SO, Ledger
from tests.support.fixtures import bearer

STAFF = bearer("grid_staff", unit="JD", sub="staff-JD")
JWC_MANAGER = bearer("unit_manager", unit="JWC", sub="manager-JWC")


@pytest.fixture
def ledger(make_app, monkeypatch):
    return Ledger(make_app("hazards"), monkeypatch)


def test_awaiting_acceptance_is_the_acceptor_s_time_not_the_unit_s(ledger):
    """机电工程学院 rectifies on Friday 2021-11-26, before its deadline (11-30). 安全保卫处
    (lead of 消防安全整治) has until Wednesday 12-01 (3 working days); on 12-01 nothing is
    late, on 12-02 the acceptance is, once — and the unit never is."""
    hazard = ledger.in_remediation(deadline="2021-11-30")
    ledger.on("2021-11-26")  # a Friday
    rectified = ledger.step(hazard["id"], "rectify", {"evidence": "已清理，见照片"}, STAFF)
    assert (rectified["acceptance_due"], rectified["acceptor_unit"]) == ("2021-12-01", "BWC")
    [event] = ledger.events("hazard.rectified")
    assert event["data"]["acceptance_due"] == "2021-12-01"
    assert event["data"]["acceptor_unit"] == "BWC"
    assert event["data"]["rectified_at"] == "2021-11-26T02:00:00+00:00"

    assert ledger.sweep("2021-12-01", 23) == NO_NOTHING  # past the unit's deadline: not its
    assert ledger.sweep("2021-12-02", 1) == {**NO_NOTHING, "acceptance_overdue": 1}
    assert ledger.sweep("2021-12-03") == NO_NOTHING  # announced once
    [late] = ledger.events("hazard.acceptance_overdue")
    assert late["data"]["acceptance_overdue"] is True
    assert late["data"]["overdue"] is False  # the unit did its part on time
    assert (late["data"]["acceptor_unit"], late["data"]["acceptance_due"]) == ("BWC", "2021-12-01")
    assert ledger.events("hazard.overdue") == []
    shown = ledger.get(hazard["id"])
    assert shown["acceptance_overdue"] is True
    assert ledger.client.get("/hazards?overdue=true", headers=SO).get_json() == []

    ledger.on("2021-12-03")
    accepted = ledger.step(hazard["id"], "accept", {"comment": "复查合格"}, BWC)
    assert accepted["acceptance_overdue"] is False and accepted["acceptance_due"] is None
    [event] = ledger.events("hazard.accepted")
    assert event["data"]["acceptance_overdue"] is False


def test_each_rectification_round_has_its_own_acceptance_deadline(ledger):
    """验收不通过 sends the hazard back: the unit's deadline runs again (overdue now, as it
    is past 11-30); the next rectification starts a new acceptance time, announced once."""
    hazard = ledger.in_remediation(deadline="2021-11-30")
    ledger.on("2021-11-22")  # Monday: due Thursday 11-25
    assert ledger.step(hazard["id"], "rectify", {"evidence": "已清理"}, STAFF)[
        "acceptance_due"
    ] == ("2021-11-25")
    assert ledger.sweep("2021-11-26")["acceptance_overdue"] == 1
    ledger.on("2021-12-01")
    rejected = ledger.step(hazard["id"], "reject", {"reason": "仍有杂物"}, BWC)
    assert (rejected["acceptance_overdue"], rejected["acceptance_due"]) == (False, None)
    assert ledger.sweep("2021-12-01", 12) == {**NO_NOTHING, "overdue": 1}  # the unit's again

    ledger.on("2021-12-03")  # Friday: due Wednesday 12-08
    again = ledger.step(hazard["id"], "rectify", {"evidence": "再次清理"}, STAFF)
    assert again["acceptance_due"] == "2021-12-08"
    assert ledger.sweep("2021-12-08") == NO_NOTHING
    assert ledger.sweep("2021-12-09") == {**NO_NOTHING, "acceptance_overdue": 1}
    rounds = [e["data"]["acceptance_due"] for e in ledger.events("hazard.acceptance_overdue")]
    assert rounds == ["2021-11-25", "2021-12-08"]


def test_a_lead_department_s_own_hazard_is_accepted_by_the_security_office(make_app, monkeypatch):
    """教务处 leads the laboratories; a laboratory hazard in 教务处's own office is accepted
    by the security office (CAMPUS_SECURITY_OFFICE_UNIT), which a late acceptance names —
    here with 5 working days configured (CAMPUS_ACCEPTANCE_WORKING_DAYS)."""
    app = make_app("hazards", acceptance_working_days=5, security_office_unit="AQC")
    ledger = Ledger(app, monkeypatch)
    hazard = ledger.report(
        who=SO, unit_code="JWC", category="lab_chemicals", description="化学品柜未上锁"
    )
    for path, body in (
        ("register", {"deadline": "2021-11-30"}),
        ("report", {}),
        (
            "start-remediation",
            {"responsible_person": "王芳", "measures": "加锁", "contingency_plan": "专人看管"},
        ),
    ):
        ledger.step(hazard["id"], path, body, JWC_MANAGER)
    ledger.on("2021-11-22")
    rectified = ledger.step(hazard["id"], "rectify", {"evidence": "已加锁"}, JWC_MANAGER)
    assert (rectified["acceptor_unit"], rectified["acceptance_due"]) == ("AQC", "2021-11-29")
    assert "accept" not in ledger.get(hazard["id"], JWC)["my_actions"]
    assert ledger.post(f"/hazards/{hazard['id']}/accept", {}, JWC).status_code == 403
    assert ledger.sweep("2021-11-30")["acceptance_overdue"] == 1
    [late] = ledger.events("hazard.acceptance_overdue")
    assert late["data"]["acceptor_unit"] == "AQC"
    assert ledger.step(hazard["id"], "accept", {"comment": "合格"}, SO)["status"] == "accepted"


def test_the_unit_does_not_accept_its_own_work(ledger):
    """验收 is not the rectifying unit's: 机电工程学院's manager may neither accept nor
    reject his unit's hazard (403, nothing written)."""
    hazard = ledger.in_remediation()
    ledger.step(hazard["id"], "rectify", {"evidence": "已清理"}, STAFF)
    before = len(ledger.events())
    for path, body in (("accept", {}), ("reject", {"reason": "不合格"})):
        refused = ledger.post(f"/hazards/{hazard['id']}/{path}", body, JD)
        assert refused.status_code == 403, refused.get_json()
    assert len(ledger.events()) == before
    assert ledger.get(hazard["id"])["status"] == "rectified"
