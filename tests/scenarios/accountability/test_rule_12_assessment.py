"""Rule 12 — the assessment is data and traceable."""

from __future__ import annotations

import io
import uuid

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from services.reporting.assessment import api as assessment_api
from services.reporting.domain import FlagStatus, Rule
from services.reporting.models import CampaignPhase, SupervisionReport
from shared.principal import SECURITY_OFFICE, Principal
from tests.scenarios.accountability.reporting_world import World, at
from tests.support.fixtures import bearer
from tests.support.reporting import hazard_event

SO = bearer("security_office", sub="office")
OFFICE = Principal("office", "安全保卫处", frozenset({SECURITY_OFFICE}), None)


@pytest.fixture
def world(make_app, monkeypatch):
    monkeypatch.setattr(assessment_api, "now", lambda: at("2022-01-10"))
    return World(make_app("reporting"), monkeypatch)


def report(session, campaign_id: str, phase_id: str, author: str, unit: str, score: int):
    session.add(
        SupervisionReport(
            campaign_id=campaign_id,
            phase_id=phase_id,
            author_unit=author,
            unit_code=unit,
            findings="督查情况",
            score=score,
            version=1,
            created_by=f"lead-{author}",
        )
    )


def overdue(unit: str, day: str = "2021-11-21"):
    return hazard_event(
        "hazard.overdue",
        5,
        str(uuid.uuid4()),
        occurred_at=at(day, 1),
        unit_code=unit,
        status="in_remediation",
        overdue=True,
        deadline="2021-11-20",
    )


def test_scores_from_the_campaigns_rules_with_every_deduction_and_unsupervised_phases(world):
    """考核 from 督导检查 and 问责: the weights are the campaign's data; a college with no
    supervision report for a phase shows 未督查 for it (never full marks); each deduction
    names the flag behind it; the .xlsx carries the same breakdown."""
    with world.session() as session:
        phases = session.scalars(
            select(CampaignPhase)
            .where(CampaignPhase.campaign_id == world.campaign_id)
            .order_by(CampaignPhase.position)
        ).all()
        p1, p2, p3 = (p.id for p in phases)
        report(session, world.campaign_id, p1, "BWC", "JD", 80)
        report(session, world.campaign_id, p1, "JWC", "JD", 90)  # phase 1: 85
        report(session, world.campaign_id, p3, "BWC", "JD", 75)  # phase 3: 75; phase 2: none
        session.commit()
    twice = overdue("JD")
    world.feed(twice, twice)  # one hazard, delivered twice: one flag
    world.feed(overdue("JD"))  # a second overdue hazard
    flag_ids = [f.id for f in world.flags("overdue_hazard")]
    confirmed = {"status": "confirmed", "reason": "逾期未整改"}
    world.clock.moment = at("2021-11-25")
    decided = world.client.post(f"/flags/{flag_ids[0]}/decision", json=confirmed, headers=SO)
    assert decided.status_code == 200

    url = f"/campaigns/{world.campaign_id}/assessment"
    body = world.client.get(url, headers=SO).get_json()
    assert body["rules"]["deductions"]["overdue_hazard"] == 3
    jd = next(r for r in body["units"] if r["unit_code"] == "JD")
    assert [(p["phase_name"], p["label"]) for p in jd["phases"]] == [
        ("自查自纠阶段", "85.00"),
        ("整改完善阶段", "未督查"),
        ("督导检查阶段", "75.00"),
    ]
    assert jd["unsupervised_phases"] == ["整改完善阶段"] and jd["complete"] is False
    # Starting score: mean of supervised phases (85 + 75) / 2 = 80; two overdue flags
    # at 3 points each (one confirmed ×1, one open ×1): 80 − 6 = 74.
    assert (jd["starting_score"], jd["deduction"], jd["score"]) == (80.0, 6.0, 74.0)
    assert sorted(d["flag_id"] for d in jd["deductions"]) == sorted(flag_ids)
    assert {d["status_label"] for d in jd["deductions"]} == {"已确认", "待处理"}
    assert all(d["summary"].startswith("隐患逾期未整改：隐患 YH-") for d in jd["deductions"])
    # A college nobody supervised has no score yet: not 100.
    cw = next(r for r in body["units"] if r["unit_code"] == "CW")
    assert cw["score"] is None and len(cw["unsupervised_phases"]) == 3
    # An office is not supervised: it starts at the campaign's base.
    bwc = next(r for r in body["units"] if r["unit_code"] == "BWC")
    assert (bwc["supervised"], bwc["score"]) == (False, 100.0)

    book = load_workbook(io.BytesIO(world.client.get(f"{url}.xlsx", headers=SO).data))
    assert book.sheetnames == ["年终考核", "扣分明细", "考核办法"]
    header = [c.value for c in book["年终考核"][3]]
    assert header[2:5] == ["督查：自查自纠阶段", "督查：整改完善阶段", "督查：督导检查阶段"]
    rows = {r[0]: r for r in book["年终考核"].iter_rows(min_row=4, values_only=True)}
    assert rows["机电工程学院"][2:] == (85, "未督查", 75, 80, 6, 74)
    details = list(book["扣分明细"].iter_rows(min_row=4, values_only=True))
    assert sorted(r[1] for r in details if r[0] == "机电工程学院") == sorted(flag_ids)
    assert {r[4] for r in details if r[0] == "机电工程学院"} == {3}


def test_other_weights_in_the_campaign_give_other_scores_without_code(world):
    """A campaign is data: next year's rules live in next year's campaign, and they must
    weigh every rule and every status (one left out would silently cost nothing)."""
    rules = {
        "base": 90,
        "deductions": {rule.value: 1 for rule in Rule} | {"overdue_hazard": 10},
        "status_factors": {status.value: 0 for status in FlagStatus} | {"open": 0.5},
    }
    body = {
        "code": "LZXD-2022",
        "name": "2022 年专项整治",
        "starts_on": "2022-09-01",
        "ends_on": "2022-12-31",
        "phases": [{"code": "self", "name": "自查", "deadline": "2022-09-30"}],
        "reporting_dues": [],
        "units": [{"unit_code": "HQC", "name": "后勤管理处", "kind": "office"}],
    }
    partial = {**rules, "status_factors": {"open": 0.5}}
    refused = world.client.post("/campaigns", json={**body, "assessment": partial}, headers=SO)
    assert refused.status_code == 422
    assert "resolved_late" in str(refused.get_json()["invalid_params"])
    created = world.client.post("/campaigns", json={**body, "assessment": rules}, headers=SO)
    assert created.status_code == 201, created.get_json()
    other_id = created.get_json()["id"]
    world.feed(overdue("HQC"))
    # That flag belongs to the 2021 campaign (found 2021-11-10): 2022 deducts nothing.
    body = world.client.get(f"/campaigns/{other_id}/assessment", headers=SO).get_json()
    [hqc] = body["units"]
    assert (hqc["starting_score"], hqc["score"]) == (90.0, 90.0)
    assert "10 分" in body["formula"] and "×0.5" in body["formula"]
    found_2022 = hazard_event(
        "hazard.overdue",
        5,
        str(uuid.uuid4()),
        occurred_at=at("2022-10-02", 1),
        unit_code="HQC",
        found_at=at("2022-09-10"),
        status="in_remediation",
        overdue=True,
        deadline="2022-10-01",
    )
    world.feed(found_2022)
    body = world.client.get(f"/campaigns/{other_id}/assessment", headers=SO).get_json()
    [hqc] = body["units"]
    assert (hqc["deduction"], hqc["score"]) == (5.0, 85.0)
