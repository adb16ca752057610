"""Rule 3 — lateness stays on record."""

from __future__ import annotations

import uuid

import pytest

from tests.scenarios.accountability.reporting_world import World, at
from tests.support.fixtures import bearer
from tests.support.reporting import hazard_event

SO = bearer("security_office", sub="office")


@pytest.fixture
def world(make_app, monkeypatch):
    return World(make_app("reporting"), monkeypatch)


def test_a_hazard_fixed_after_its_deadline_keeps_its_overdue_flag_as_resolved_late(world):
    """限期整改: a hazard rectified after its deadline turns its 隐患逾期未整改 flag into
    resolved_late with the days it was late — never withdrawn, which would erase it."""
    hazard = str(uuid.uuid4())
    world.feed(
        hazard_event(
            "hazard.overdue",
            5,
            hazard,
            occurred_at=at("2021-11-21", 1),
            status="in_remediation",
            overdue=True,
            deadline="2021-11-20",
        )
    )
    [flag] = world.flags("overdue_hazard")
    assert flag.status == "open" and flag.days_late is None
    world.feed(
        hazard_event(
            "hazard.closed",
            8,
            hazard,
            occurred_at=at("2021-11-27"),
            status="closed",
            deadline="2021-11-20",
            closed_at=at("2021-11-26"),
        )
    )
    [flag] = world.flags("overdue_hazard")
    assert (flag.status, flag.days_late, flag.decided_by) == ("resolved_late", 6, None)
    assert [s.step for s in flag.steps] == ["raised", "resolved_late"]


def test_a_major_hazard_left_unresolved_then_fixed_stays_on_record(world):
    """重大安全隐患悬而不决: fixing the major hazard later ends the flag as resolved_late."""
    hazard = str(uuid.uuid4())
    world.feed(
        hazard_event(
            "hazard.major_unresolved",
            4,
            hazard,
            occurred_at=at("2021-12-10", 1),
            severity="major",
            status="in_remediation",
        )
    )
    world.feed(
        hazard_event(
            "hazard.accepted",
            9,
            hazard,
            occurred_at=at("2021-12-15"),
            severity="major",
            status="accepted",
        )
    )
    [flag] = world.flags("major_unresolved")
    assert flag.status == "resolved_late" and flag.days_late == 6


def test_withdrawn_only_by_the_security_offices_decision_with_a_reason(world):
    """Withdrawn is for a flag raised in error, by a decision with a reason: the unit cannot
    withdraw its own flag, and no decision is taken without a reason."""
    hazard = str(uuid.uuid4())
    world.feed(
        hazard_event(
            "hazard.overdue",
            5,
            hazard,
            occurred_at=at("2021-11-21", 1),
            status="in_remediation",
            overdue=True,
            deadline="2021-11-20",
        )
    )
    [flag] = world.flags("overdue_hazard")
    url = f"/flags/{flag.id}/decision"
    withdraw = {"status": "withdrawn", "reason": "限期录入错误，实际限期为 11 月 30 日"}
    manager = bearer("unit_manager", unit="JD")
    assert world.client.post(url, json=withdraw, headers=manager).status_code == 403
    no_reason = world.client.post(url, json={"status": "withdrawn"}, headers=SO)
    assert no_reason.status_code == 422
    assert no_reason.get_json()["invalid_params"][0]["name"] == "reason"
    assert world.flags("overdue_hazard")[0].status == "open"  # nothing half-written
    decided = world.client.post(url, json=withdraw, headers=SO)
    assert decided.status_code == 200
    body = decided.get_json()
    assert (body["status"], body["decision_reason"]) == ("withdrawn", withdraw["reason"])
    assert [h["step"] for h in body["history"]] == ["raised", "decision"]
    assert body["history"][1]["actor"] == "office"


def test_a_rejected_fix_of_a_major_hazard_past_its_plan_opens_its_flag_again(world):
    """验收 can fail: a major hazard past its plan's deadline, rectified (the flag resolved
    late), then rejected at acceptance is unresolved again on the same cause — the flag is
    open again, not left as if the hazard were fixed."""
    hazard = str(uuid.uuid4())
    planned = {"severity": "major", "plan_deadline": "2021-12-01"}
    world.feed(
        hazard_event(
            "hazard.major_unresolved",
            5,
            hazard,
            occurred_at=at("2021-12-02", 1),
            status="in_remediation",
            major_unresolved_reason="plan_overdue",
            **planned,
        ),
        hazard_event(
            "hazard.rectified",
            6,
            hazard,
            occurred_at=at("2021-12-04"),
            status="rectified",
            rectified_at=at("2021-12-04"),
            **planned,
        ),
    )
    [flag] = world.flags("major_unresolved")
    assert (flag.status, flag.days_late) == ("resolved_late", 3)
    world.feed(
        hazard_event(
            "hazard.rejected",
            7,
            hazard,
            occurred_at=at("2021-12-06"),
            status="in_remediation",
            rectified_at=at("2021-12-04"),
            major_unresolved_reason="plan_overdue",
            **planned,
        )
    )
    [flag] = world.flags("major_unresolved")
    assert (flag.status, flag.days_late, flag.resolved_at) == ("open", None, None)
    assert [s.step for s in flag.steps] == ["raised", "resolved_late", "reopened"]
