"""Rule 5 — 悬而不决 follows the plan (the hazard ledger's side).

「对一时难以整改到位的，列出整改计划，明确整改时限，落实风险管控措施」(三、(七)) and
「重大安全隐患悬而不决的给予严肃处理」(五、(三)): a major hazard that cannot be fixed at once
is judged against its approved rectification plan (整改计划、时限、管控措施), not against the
day it was found. The plan is written by the unit when remediation starts (quick_fix
false) and approved by a judge — the security office, or a lead department of the
category that is not the hazard's unit (POST /hazards/{id}/plan-approval) — never by the
unit that wrote it. The sweep announces it unresolved (hazard.major_unresolved) when it has
no approved plan CAMPUS_MAJOR_PLAN_DAYS days (default 7) after its registration
(``no_plan``), or when it is past its approved plan's deadline (``plan_overdue``) — once
per cause.
"""

from __future__ import annotations

import pytest

from tests.scenarios.accountability.hazard_world import (
    BWC,
    JD,
    JD2,
    NO_NOTHING,
    PLAN,
    REMEDIATION,
    SO,
    SO2,
    XCB,
    Ledger,
    approve,
    major,
)


@pytest.fixture
def ledger(make_app, monkeypatch):
    return Ledger(make_app("hazards"), monkeypatch)


def reasons(ledger: Ledger) -> list[str | None]:
    return [e["data"]["major_unresolved_reason"] for e in ledger.events("hazard.major_unresolved")]


def test_no_plan_within_the_days_after_registration_is_unresolved(ledger):
    """Registered 11-20: without a plan it is unresolved from 11-28 (7 days later), not
    because it was found in September; announced once, ``no_plan``. A plan written by the
    unit does not end it; the plan approved by 安全保卫处 (which leads fire safety) does."""
    hazard = major(ledger)
    registered = ledger.get(hazard["id"])["registered_at"]
    assert registered == "2021-11-20T02:00:00+00:00"
    assert ledger.sweep("2021-11-27", 23) == NO_NOTHING
    assert ledger.sweep("2021-11-28", 1) == {**NO_NOTHING, "major_unresolved": 1}
    assert ledger.sweep("2021-11-29") == NO_NOTHING
    assert reasons(ledger) == ["no_plan"]
    assert ledger.get(hazard["id"])["major_unresolved_reason"] == "no_plan"

    ledger.on("2021-11-29")
    planned = ledger.step(hazard["id"], "start-remediation", PLAN)
    assert (planned["plan_deadline"], planned["plan_approved_at"]) == ("2022-03-31", None)
    assert planned["major_unresolved_reason"] == "no_plan"  # written, not approved
    [started] = ledger.events("hazard.remediation_started")
    assert started["data"]["plan_deadline"] is None  # the events carry the approved plan's
    assert started["data"]["major_unresolved_reason"] == "no_plan"

    ledger.on("2021-11-29", 15)
    approved = approve(ledger, hazard["id"], BWC)
    assert approved.status_code == 200, approved.get_json()
    shown = approved.get_json()
    assert (shown["plan_deadline"], shown["plan_approved_at"]) == (
        "2022-03-31",
        "2021-11-29T07:00:00+00:00",
    )
    assert shown["major_unresolved_reason"] is None
    [event] = ledger.events("hazard.plan_approved")
    assert event["data"]["plan_deadline"] == "2022-03-31"
    assert event["data"]["plan_approved_at"] == "2021-11-29T07:00:00+00:00"
    assert event["data"]["major_unresolved_reason"] is None
    assert ledger.sweep("2022-01-15") == NO_NOTHING  # within its plan, months after


def test_past_the_plan_s_deadline_is_unresolved_once_per_deadline(ledger):
    """With its plan approved in time, the hazard is judged by the plan's 时限 (2022-03-31):
    announced ``plan_overdue`` on 04-01, once; an approved extension moves the plan's
    deadline, and passing the new one is a new cause."""
    hazard = major(ledger)
    ledger.on("2021-11-22")
    ledger.step(hazard["id"], "start-remediation", PLAN)
    assert approve(ledger, hazard["id"], BWC).status_code == 200
    assert ledger.sweep("2022-03-31", 23) == NO_NOTHING
    assert ledger.sweep("2022-04-01")["major_unresolved"] == 1
    assert ledger.sweep("2022-04-02") == NO_NOTHING
    [announced] = ledger.events("hazard.major_unresolved")
    assert announced["data"]["major_unresolved_reason"] == "plan_overdue"
    assert announced["data"]["plan_deadline"] == "2022-03-31"

    ledger.on("2022-04-02")  # past the deadline: the security office asks and decides
    asked = ledger.post(
        f"/hazards/{hazard['id']}/extensions",
        {"new_deadline": "2022-05-31", "reason": "施工单位延期进场"},
        SO,
    ).get_json()
    ledger.post(f"/hazards/extensions/{asked['id']}/decision", {"approve": True}, SO2)
    moved = ledger.get(hazard["id"], JD)
    assert (moved["plan_deadline"], moved["major_unresolved_reason"]) == ("2022-05-31", None)
    assert ledger.sweep("2022-05-31") == NO_NOTHING
    assert ledger.sweep("2022-06-01")["major_unresolved"] == 1
    assert reasons(ledger) == ["plan_overdue", "plan_overdue"]
    plans = [e["data"]["plan_deadline"] for e in ledger.events("hazard.major_unresolved")]
    assert plans == ["2022-03-31", "2022-05-31"]


def test_rectified_in_time_is_not_unresolved_and_the_days_are_configurable(make_app, monkeypatch):
    """CAMPUS_MAJOR_PLAN_DAYS=3: no plan 3 days after registration is unresolved; a major
    hazard its unit rectified in the meantime (待验收) is not."""
    ledger = Ledger(make_app("hazards", major_plan_days=3), monkeypatch)
    slow, fixed = major(ledger), major(ledger)
    ledger.step(fixed["id"], "start-remediation", REMEDIATION)  # fixed at once
    ledger.step(fixed["id"], "rectify", {"evidence": "已整改"}, SO)
    assert ledger.sweep("2021-11-23") == NO_NOTHING
    assert ledger.sweep("2021-11-24")["major_unresolved"] == 1
    assert [e["subject"] for e in ledger.events("hazard.major_unresolved")] == [slow["id"]]


def test_the_unit_does_not_approve_its_own_plan(ledger):
    """机电工程学院 writes the plan (整改计划) for its major hazard on 11-22; neither its
    manager nor his deputy approves it, and a department leading neither category cannot
    see it. Unapproved, the hazard counts as having no plan: ``no_plan`` from 11-28, and
    the plan's own deadline passing is not ``plan_overdue`` while it is unapproved. The
    console offers 批准整改计划 to 安全保卫处 (lead of fire safety) and to the office, not to
    the unit; once approved, the plan's deadline is what counts."""
    hazard = major(ledger, deadline="2021-12-05")
    ledger.on("2021-11-22")
    ledger.step(hazard["id"], "start-remediation", {**PLAN, "deadline": "2021-12-05"})

    def mine(who: dict) -> list[str]:
        return ledger.get(hazard["id"], who)["my_actions"]

    assert "approve_plan" not in mine(JD) and "approve_plan" not in mine(JD2)
    assert "approve_plan" in mine(BWC) and "approve_plan" in mine(SO)
    for own in (JD, JD2):
        refused = approve(ledger, hazard["id"], own, {"comment": "同意"})
        assert refused.status_code == 403, refused.get_json()
        assert refused.content_type == "application/problem+json"
    assert approve(ledger, hazard["id"], XCB).status_code == 403
    assert ledger.get(hazard["id"])["plan_approved_at"] is None

    assert ledger.sweep("2021-11-28") == {**NO_NOTHING, "major_unresolved": 1}
    assert reasons(ledger) == ["no_plan"]
    # Past the unapproved plan's 12-05: the unit is overdue on its deadline, but the plan
    # nobody approved has no deadline to be past.
    assert ledger.sweep("2021-12-06") == {**NO_NOTHING, "overdue": 1}

    ledger.on("2021-12-07")
    approved = approve(ledger, hazard["id"], BWC, {"comment": "计划可行"})
    assert approved.status_code == 200, approved.get_json()
    assert "approve_plan" not in mine(BWC)
    last = ledger.history(hazard["id"])[-1]
    assert (last["action"], last["actor"]) == ("approve_plan", "lead-BWC")
    assert "计划可行" in last["comment"]
    assert ledger.sweep("2021-12-07", 11)["major_unresolved"] == 1
    assert reasons(ledger) == ["no_plan", "plan_overdue"]
    plans = [e["data"]["plan_deadline"] for e in ledger.events("hazard.major_unresolved")]
    assert plans == [None, "2021-12-05"]


def test_approving_a_plan_is_a_step_of_its_own(ledger):
    """批准整改计划 is taken like the loop's steps: on the version read (If-Match, 412 when
    stale), once (409 when approved already, or when there is no plan: a hazard fixed at
    once has none), and never by whoever wrote the plan — the office writing one for a
    unit has it approved by another of its people."""
    quick = major(ledger)
    ledger.step(quick["id"], "start-remediation", REMEDIATION)
    assert approve(ledger, quick["id"], SO).status_code == 409

    hazard = major(ledger)
    ledger.step(hazard["id"], "start-remediation", PLAN, SO)  # the office writes it
    version = ledger.get(hazard["id"])["version"]
    stale = approve(ledger, hazard["id"], SO2, **{"If-Match": f'"{version - 1}"'})
    assert stale.status_code == 412
    own = approve(ledger, hazard["id"], SO, **{"If-Match": f'"{version}"'})
    assert own.status_code == 409, own.get_json()
    assert "approve_plan" not in ledger.get(hazard["id"], SO)["my_actions"]
    approved = approve(ledger, hazard["id"], SO2, **{"If-Match": f'"{version}"'})
    assert approved.status_code == 200, approved.get_json()
    assert approved.headers["ETag"] == f'"{version + 1}"'
    again = approve(ledger, hazard["id"], BWC)
    assert again.status_code == 409
    assert again.content_type == "application/problem+json"
    assert len(ledger.events("hazard.plan_approved", hazard["id"])) == 1
