"""Rule 3 — lateness stays on record, even when no sweep saw it (the hazard ledger's side).

The sweep (周整改, 督导问责) announces lateness at the moments it runs; a hazard rectified
after its deadline (限期整改) but before the next sweep, or an acceptance (验收) decided after
its due date but before the next sweep, was late all the same. The step that ends the
lateness announces it first — hazard.overdue, hazard.acceptance_overdue or
hazard.major_unresolved, each its own event with its own sequence, as the sweep would
have — and then itself; so the reporting service keeps the flag as ``resolved_late`` with
the days late instead of never knowing.
"""

from __future__ import annotations

import pytest

from tests.scenarios.accountability.hazard_world import (
    BWC,
    JD,
    NO_NOTHING,
    PLAN,
    SO,
    Ledger,
    approve,
    major,
)
from tests.scenarios.accountability.reporting_world import World


@pytest.fixture
def ledger(make_app, monkeypatch):
    return Ledger(make_app("hazards"), monkeypatch)


def kinds(ledger: Ledger, hazard_id: str) -> list[str]:
    return [e["type"] for e in ledger.events(subject=hazard_id)]


def test_a_hazard_rectified_after_its_deadline_between_two_sweeps_is_on_record(
    ledger, make_app, monkeypatch
):
    """限期 11-30; the sweep of 11-30 finds nothing, 机电工程学院 rectifies on 12-02 before
    the next one runs. The ledger announces the overdue for 11-30 first (by the system,
    dated 12-02, the unit still owing the fix), then the rectification; the next sweep adds
    nothing. Reporting keeps a 隐患逾期未整改 flag, resolved_late, 2 days late (12-01 and
    12-02). A hazard rectified on its deadline day is not late."""
    late = ledger.in_remediation(deadline="2021-11-30")
    on_time = ledger.in_remediation(deadline="2021-11-30")
    assert ledger.sweep("2021-11-30", 23) == NO_NOTHING
    ledger.on("2021-11-30", 20)
    ledger.step(on_time["id"], "rectify", {"evidence": "已清理"})
    ledger.on("2021-12-02")
    ledger.step(late["id"], "rectify", {"evidence": "已清理"})

    assert kinds(ledger, late["id"])[-2:] == ["hazard.overdue", "hazard.rectified"]
    overdue, rectified = ledger.events(subject=late["id"])[-2:]
    assert overdue["data"]["status"] == "in_remediation"
    assert (overdue["data"]["deadline"], overdue["data"]["overdue"]) == ("2021-11-30", True)
    assert overdue["data"]["overdue_since"] == "2021-12-02T02:00:00+00:00"
    assert (overdue["actor"], rectified["sequence"]) == ("system", overdue["sequence"] + 1)
    assert (rectified["data"]["status"], rectified["data"]["overdue"]) == ("rectified", False)
    steps = [(h["action"], h["actor"]) for h in ledger.history(late["id"])][-2:]
    assert steps == [("overdue", "system"), ("rectify", "manager-JD")]
    assert "hazard.overdue" not in kinds(ledger, on_time["id"])
    assert ledger.sweep("2021-12-03") == NO_NOTHING

    reporting = World(make_app("reporting"), monkeypatch)
    reporting.feed(*ledger.envelopes())
    [flag] = reporting.flags("overdue_hazard")
    assert (flag.unit_code, flag.status, flag.days_late) == ("JD", "resolved_late", 2)


def test_an_acceptance_decided_after_its_due_date_between_two_sweeps_is_on_record(ledger):
    """Rectified Monday 11-22, the acceptor (安全保卫处, lead of fire safety) has 3 working
    days: due 11-25. Accepted on 11-26 — or rejected — before any sweep ran: the late
    acceptance (验收逾期) is announced first, naming the acceptor, then the decision. An
    acceptance on its due date is not late."""
    accepted, rejected, in_time = (ledger.in_remediation("2021-11-30") for _ in range(3))
    ledger.on("2021-11-22")
    for hazard in (accepted, rejected, in_time):
        ledger.step(hazard["id"], "rectify", {"evidence": "已清理"})
        assert ledger.get(hazard["id"])["acceptance_due"] == "2021-11-25"
    ledger.on("2021-11-25", 17)
    ledger.step(in_time["id"], "accept", {"comment": "合格"}, BWC)
    ledger.on("2021-11-26")
    ledger.step(accepted["id"], "accept", {"comment": "合格"}, BWC)
    ledger.step(rejected["id"], "reject", {"reason": "杂物未清运"}, SO)

    for hazard, decision in ((accepted, "hazard.accepted"), (rejected, "hazard.rejected")):
        assert kinds(ledger, hazard["id"])[-2:] == ["hazard.acceptance_overdue", decision]
        late, decided = ledger.events(subject=hazard["id"])[-2:]
        assert late["data"]["status"] == "rectified"
        assert late["data"]["acceptance_due"] == "2021-11-25"
        assert late["data"]["acceptor_unit"] == "BWC"
        assert late["data"]["acceptance_overdue"] is True
        assert late["actor"] == "system" and decided["sequence"] == late["sequence"] + 1
    assert "hazard.acceptance_overdue" not in kinds(ledger, in_time["id"])
    assert ledger.sweep("2021-11-27")["acceptance_overdue"] == 0


def test_a_plan_approved_after_the_days_allowed_keeps_the_no_plan_on_record(ledger):
    """「重大安全隐患悬而不决」: registered 11-20, the major hazard's plan is due approved by
    11-27 (7 days); it is approved on 11-29 before any sweep ran. ``no_plan`` is announced
    first, then the approval."""
    hazard = major(ledger)
    ledger.on("2021-11-22")
    ledger.step(hazard["id"], "start-remediation", PLAN, JD)
    ledger.on("2021-11-29")
    assert approve(ledger, hazard["id"], BWC).status_code == 200
    assert kinds(ledger, hazard["id"])[-2:] == ["hazard.major_unresolved", "hazard.plan_approved"]
    announced = ledger.events("hazard.major_unresolved", hazard["id"])[-1]
    assert announced["data"]["major_unresolved_reason"] == "no_plan"
    assert ledger.sweep("2021-11-30") == NO_NOTHING


def test_a_major_hazard_rectified_past_its_plan_between_two_sweeps_is_on_record(ledger):
    """A major hazard with its plan approved in time is rectified on 2022-04-02, two days
    past the plan's 时限 (03-31), the last sweep having run on 03-31: the unit's overdue
    and 悬而不决 ``plan_overdue`` are both announced before the rectification."""
    hazard = major(ledger)
    ledger.on("2021-11-22")
    ledger.step(hazard["id"], "start-remediation", PLAN, JD)
    assert approve(ledger, hazard["id"], BWC).status_code == 200
    assert ledger.sweep("2022-03-31") == NO_NOTHING
    ledger.on("2022-04-02")
    ledger.step(hazard["id"], "rectify", {"evidence": "防火门已更换"})
    assert kinds(ledger, hazard["id"])[-3:] == [
        "hazard.overdue",
        "hazard.major_unresolved",
        "hazard.rectified",
    ]
    announced = ledger.events("hazard.major_unresolved", hazard["id"])[-1]
    assert announced["data"]["major_unresolved_reason"] == "plan_overdue"
    assert announced["data"]["plan_deadline"] == "2022-03-31"


def test_a_major_hazard_lowered_after_its_plan_was_due_keeps_the_no_plan_on_record(ledger):
    """Registered major on 11-20 with no plan by 11-27; on 11-29, before any sweep ran, the
    security office lowers it to general (with its reason): the 悬而不决 ``no_plan`` that
    ran is announced first, then the change of severity."""
    hazard = major(ledger)
    ledger.on("2021-11-29")
    body = {"severity": "general", "reason": "复核：防火门仅一处损坏"}
    lowered = ledger.post(f"/hazards/{hazard['id']}/severity", body, SO)
    assert lowered.status_code == 200, lowered.get_json()
    assert kinds(ledger, hazard["id"])[-2:] == [
        "hazard.major_unresolved",
        "hazard.severity_changed",
    ]
    announced = ledger.events("hazard.major_unresolved", hazard["id"])[-1]
    assert announced["data"]["major_unresolved_reason"] == "no_plan"
    assert announced["data"]["severity"] == "major"
