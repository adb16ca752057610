"""Rule 1 — one cause, one penalty."""

from __future__ import annotations

import pytest

from services.reporting import commands, flags
from services.reporting.assessment import api as assessment_api
from services.reporting.domain import Rule, cause_key
from services.reporting.sweeps import run_sweep
from shared.principal import UNIT_MANAGER, Principal
from tests.scenarios.accountability.reporting_world import TZ, World, at
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")


@pytest.fixture
def world(make_app, monkeypatch):
    return World(make_app("reporting"), monkeypatch)


def test_a_table_submitted_after_the_missing_flag_supersedes_it_and_counts_once(world, monkeypatch):
    """各单位……以电子邮件形式向学院安保处报送《校园安全专项整治工作隐患问题统计表》: a unit
    that submits after the sweep raised 未报送 gets one 逾期报送; the 未报送 is superseded by
    it (linked), and the year-end assessment deducts for the cause once."""
    world.head("JD", "李娜")
    first = world.dues[0]  # due 2021-11-22
    run_sweep(world.session, world.settings, at("2021-11-23", 1))
    [missing] = [f for f in world.flags("missing_submission") if f.unit_code == "JD"]
    assert missing.status == "open"

    jd = Principal("m-jd", "机电工程学院", frozenset({UNIT_MANAGER}), "JD")
    with world.session() as session:
        commands.submit(session, jd, world.campaign_id, first.id, "JD", at("2021-11-24"), TZ)
        session.commit()
    run_sweep(world.session, world.settings, at("2021-11-25"))  # again: changes nothing

    jd_flags = {f.rule: f for f in world.flags() if f.unit_code == "JD"}
    late, missing = jd_flags["late_submission"], jd_flags["missing_submission"]
    assert (late.status, late.person_name) == ("open", "李娜")
    assert (missing.status, missing.superseded_by) == ("superseded", late.id)
    assert [s.step for s in missing.steps] == ["raised", "superseded"]

    monkeypatch.setattr(assessment_api, "now", lambda: at("2022-01-10"))
    body = world.client.get(f"/campaigns/{world.campaign_id}/assessment", headers=SO).get_json()
    row = next(r for r in body["units"] if r["unit_code"] == "JD")
    points = {d["rule"]: d["points"] for d in row["deductions"]}
    # The seed campaign's rules: 逾期报送 2 points, 未报送 5, a superseded flag ×0.
    assert points == {"late_submission": 2.0, "missing_submission": 0.0}
    assert row["deduction"] == 2.0

    # Explaining the superseded one is pointless: the unit answers for the late one.
    world.clock.moment = at("2021-11-26")
    refused = world.client.post(
        f"/flags/{missing.id}/explanation",
        json={"text": "已补报"},
        headers=bearer("unit_manager", unit="JD"),
    )
    assert refused.status_code == 409
    assert refused.headers["Content-Type"] == "application/problem+json"


def test_a_decided_missing_flag_keeps_its_decision_when_the_table_comes_late(world):
    """The office withdrew XX's 未报送 (an approved delay) and the decision became final;
    the table then comes late: the decision stands, the arrival is in its history, and no
    second penalty (逾期报送) is raised for the same cause."""
    first = world.dues[0]
    run_sweep(world.session, world.settings, at("2021-11-23", 1))
    [missing] = [f for f in world.flags("missing_submission") if f.unit_code == "XX"]
    world.clock.moment = at("2021-11-24")
    decision = {"status": "withdrawn", "reason": "已批准缓报至 12 月 10 日"}
    decided = world.client.post(f"/flags/{missing.id}/decision", json=decision, headers=SO)
    assert decided.status_code == 200
    xx = Principal("m-xx", "信息工程学院", frozenset({UNIT_MANAGER}), "XX")
    with world.session() as session:
        commands.submit(session, xx, world.campaign_id, first.id, "XX", at("2021-12-10"), TZ)
        session.commit()
    xx_flags = [f for f in world.flags() if f.unit_code == "XX"]
    assert [(f.rule, f.status) for f in xx_flags] == [("missing_submission", "withdrawn")]
    assert [s.step for s in xx_flags[0].steps] == ["raised", "decision", "resolved_late"]
    assert "逾期报送" in xx_flags[0].steps[-1].text


def test_a_late_table_racing_the_sweep_is_still_one_penalty(world):
    """The sweep saw no table and raised 未报送 while the late table was being submitted
    (both committed): the next sweep supersedes the 未报送 by the 逾期报送, so the cause
    still counts once."""
    first = world.dues[0]
    jd = Principal("m-jd", "机电工程学院", frozenset({UNIT_MANAGER}), "JD")
    with world.session() as session:  # the table, late, committed first …
        commands.submit(session, jd, world.campaign_id, first.id, "JD", at("2021-11-23", 2), TZ)
        session.commit()
    with world.session() as session:  # … and the racing sweep's 未报送, which missed it
        flags.raise_flag(
            session,
            Rule.MISSING_SUBMISSION,
            "JD",
            cause_key(Rule.MISSING_SUBMISSION, first.id, "JD"),
            campaign_id=world.campaign_id,
            evidence={"due_on": "2021-11-22"},
            day=first.due_on,
            at=at("2021-11-23", 1),
        )
        session.commit()
    run_sweep(world.session, world.settings, at("2021-11-24", 1))
    jd_flags = {f.rule: f for f in world.flags() if f.unit_code == "JD"}
    assert jd_flags["missing_submission"].status == "superseded"
    assert jd_flags["missing_submission"].superseded_by == jd_flags["late_submission"].id
