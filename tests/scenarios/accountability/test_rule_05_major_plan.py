"""Rule 5 — 悬而不决 follows the plan (the hazard ledger's side).

「对一时难以整改到位的，列出整改计划，明确整改时限，落实风险管控措施」(三、(七)) and
「重大安全隐患悬而不决的给予严肃处理」(五、(三)): a major hazard that cannot be fixed at once
is judged against its approved rectification plan (整改计划、时限、管控措施), not against the
day it was found. The sweep announces it unresolved (hazard.major_unresolved) when it has
no plan CAMPUS_MAJOR_PLAN_DAYS days (default 7) after its registration (``no_plan``), or
when it is past its plan's deadline (``plan_overdue``) — once per cause.
"""

from __future__ import annotations

import pytest

from tests.scenarios.accountability.hazard_world import (
    JD,
    NO_NOTHING,
    REMEDIATION,
    SO,
    SO2,
    Ledger,
)

PLAN = {
    **REMEDIATION,
    "quick_fix": False,
    "deadline": "2022-03-31",
    "rectification_plan": "申请专项经费更换防火门，寒假施工",
    "interim_measures": "通道两侧设警示带，每日巡查两次",
}
FOUND_LONG_AGO = "2021-09-01T09:00:00+08:00"  # before the campaign: not what counts


@pytest.fixture
def ledger(make_app, monkeypatch):
    return Ledger(make_app("hazards"), monkeypatch)


def major(ledger: Ledger) -> dict:
    """A major hazard found long ago, registered (登记评估) on 2021-11-20 and reported."""
    hazard = ledger.report(severity="major", found_at=FOUND_LONG_AGO)
    ledger.step(hazard["id"], "register", {"deadline": "2022-03-31"})
    ledger.step(hazard["id"], "report")
    return hazard


def reasons(ledger: Ledger) -> list[str | None]:
    return [e["data"]["major_unresolved_reason"] for e in ledger.events("hazard.major_unresolved")]


def test_no_plan_within_the_days_after_registration_is_unresolved(ledger):
    """Registered 11-20: without a plan it is unresolved from 11-28 (7 days later), not
    because it was found in September; announced once, ``no_plan``. Approving the plan
    ends the reason."""
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
    assert (planned["plan_deadline"], planned["plan_approved_at"]) == (
        "2022-03-31",
        "2021-11-29T02:00:00+00:00",
    )
    assert planned["major_unresolved_reason"] is None
    [started] = ledger.events("hazard.remediation_started")
    assert started["data"]["plan_deadline"] == "2022-03-31"
    assert started["data"]["major_unresolved_reason"] is None
    assert ledger.sweep("2022-01-15") == NO_NOTHING  # within its plan, months after


def test_past_the_plan_s_deadline_is_unresolved_once_per_deadline(ledger):
    """With its plan approved in time, the hazard is judged by the plan's 时限 (2022-03-31):
    announced ``plan_overdue`` on 04-01, once; an approved extension moves the plan's
    deadline, and passing the new one is a new cause."""
    hazard = major(ledger)
    ledger.on("2021-11-22")
    ledger.step(hazard["id"], "start-remediation", PLAN)
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
