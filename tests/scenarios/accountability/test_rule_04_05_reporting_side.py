"""Rules 2, 4 and 5 as the accountability records see them: whom a delay is charged to
and what stays on record (the hazard ledger's side is in test_rule_02/04/05_*.py)."""

from __future__ import annotations

import pytest

from tests.scenarios.accountability.reporting_world import World, at
from tests.support.reporting import hazard_event


@pytest.fixture
def world(make_app, monkeypatch):
    w = World(make_app("reporting"), monkeypatch)
    w.head("JD", "机电院长")
    w.head("BWC", "保卫处长")
    return w


def test_an_approved_extension_never_erases_lateness_that_had_happened(world):
    """Rule 2 — 限期整改: the hazard was already overdue when its deadline was extended;
    the days it was late before the extension stay on record (resolved_late), and the new
    deadline starts clean."""
    h = "H-EXT"
    world.feed(
        hazard_event(
            "hazard.overdue",
            4,
            h,
            occurred_at=at("2021-11-21", 1),
            status="in_remediation",
            deadline="2021-11-20",
            overdue=True,
        ),
        hazard_event(
            "hazard.deadline_extended",
            5,
            h,
            occurred_at=at("2021-11-24"),
            status="in_remediation",
            deadline="2021-12-10",
        ),
    )
    [flag] = world.flags("overdue_hazard")
    assert (flag.status, flag.days_late) == ("resolved_late", 4)
    assert flag.evidence["deadline"] == "2021-11-20"


def test_awaiting_acceptance_is_the_acceptors_delay_not_the_units(world):
    """Rule 4 — 验收: a hazard rectified on time and awaiting acceptance (待验收) is not
    overdue for the unit, even when its deadline passes; the acceptor's late acceptance
    flags the acceptor's unit (here the lead department 安全保卫处) and names its head."""
    h = "H-ACC"
    rectified = {
        "status": "rectified",
        "deadline": "2021-11-20",
        "rectified_at": at("2021-11-18"),
        "acceptance_due": "2021-11-23",
        "acceptor_unit": "BWC",
    }
    world.feed(hazard_event("hazard.rectified", 5, h, occurred_at=at("2021-11-18"), **rectified))
    assert world.flags() == []
    world.feed(
        hazard_event(
            "hazard.acceptance_overdue",
            6,
            h,
            occurred_at=at("2021-11-24", 1),
            acceptance_overdue=True,
            **rectified,
        )
    )
    [flag] = world.flags()
    assert (flag.rule, flag.unit_code, flag.person_name, flag.person_basis) == (
        "late_acceptance",
        "BWC",
        "保卫处长",
        "unit_head",
    )
    assert flag.evidence["hazard_unit"] == "JD"
    world.feed(
        hazard_event(
            "hazard.accepted",
            7,
            h,
            occurred_at=at("2021-11-26"),
            **{**rectified, "status": "accepted", "acceptance_due": None},
        )
    )
    [flag] = world.flags()
    assert (flag.status, flag.days_late) == ("resolved_late", 3)
    assert [f.rule for f in world.flags()] == ["late_acceptance"]  # the unit: nothing


def test_a_major_hazard_is_judged_against_its_plan(world):
    """Rule 5 — 对一时难以整改到位的，列出整改计划，明确整改时限，落实风险管控措施: with no
    plan in time the major hazard is flagged (no_plan) until a plan is approved; past its
    plan's deadline it is flagged again (plan_overdue) until fixed."""
    h = "H-MAJ"
    major = {"severity": "major", "status": "registered", "registered_at": at("2021-11-10")}
    world.feed(
        hazard_event(
            "hazard.major_unresolved",
            3,
            h,
            occurred_at=at("2021-11-18", 1),
            major_unresolved_reason="no_plan",
            **major,
        )
    )
    [no_plan] = world.flags("major_unresolved")
    assert no_plan.status == "open" and no_plan.evidence["reason"] == "no_plan"
    planned = {**major, "status": "in_remediation", "plan_deadline": "2021-12-01"}
    world.feed(
        hazard_event("hazard.remediation_started", 4, h, occurred_at=at("2021-11-20"), **planned)
    )
    [no_plan] = world.flags("major_unresolved")
    assert (no_plan.status, no_plan.days_late) == ("resolved_late", 3)
    world.feed(
        hazard_event(
            "hazard.major_unresolved",
            5,
            h,
            occurred_at=at("2021-12-02", 1),
            major_unresolved_reason="plan_overdue",
            **planned,
        )
    )
    by_reason = {f.evidence["reason"]: f for f in world.flags("major_unresolved")}
    assert by_reason["plan_overdue"].status == "open"
    assert by_reason["plan_overdue"].evidence["deadline"] == "2021-12-01"
    world.feed(
        hazard_event(
            "hazard.rectified",
            6,
            h,
            occurred_at=at("2021-12-05"),
            rectified_at=at("2021-12-05"),
            **{**planned, "status": "rectified"},
        )
    )
    by_reason = {f.evidence["reason"]: f for f in world.flags("major_unresolved")}
    assert (by_reason["plan_overdue"].status, by_reason["plan_overdue"].days_late) == (
        "resolved_late",
        4,
    )
