"""Task work ledgers, each unit's phase work (submitted, confirmed, returned), the progress
matrix, phase-task flags and supervision reports (SQLite, the 2021 seed campaign, a fixed
clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from services.reporting import commands
from services.reporting.models import (
    Campaign,
    CampaignTask,
    CampaignUnit,
    Flag,
)
from services.reporting.sweeps import TASKS, run_phase_sweep
from services.reporting.work import api as work_api
from services.reporting.work import domain
from services.reporting.work.commands import ledger, lookups, phase_work
from shared.api import state
from shared.principal import SECURITY_OFFICE, UNIT_MANAGER, Principal
from tests.support.fixtures import bearer
from tests.support.reporting import seed_grid_units, seed_unit_head

SO = bearer("security_office", sub="office")
LEADERSHIP = bearer("leadership", sub="leader")
TZ = "Asia/Shanghai"
# Units answering for each 2021 task in a units' phase: 一–五 and 七 all 14 units, 六 8,
# 八 its 3 lead departments (no responsible unit named), 九 1, 十 7, 十一 6, 十二 6 (MY is
# listed twice in the plan's table).
UNITS_PER_PHASE = 6 * 14 + 8 + 3 + 1 + 7 + 6 + 6
# The lead departments' phase (督导检查): each task's lead departments, 一 2, 二–四 1 each,
# 五 2, 六 2, 七 1, 八 3, 九 none, 十–十二 1 each.
LEADS_PER_TASK = 2 + 3 * 1 + 2 + 2 + 1 + 3 + 0 + 3 * 1
# Lead departments of the campaign's tasks: DZB, BWC, XGC, HQC, JWC, XCB.
LEAD_DEPARTMENTS = 6


def lead(unit: str) -> dict:
    return bearer("lead_department", unit=unit, sub=f"lead-{unit}")


def manager(unit: str) -> dict:
    return bearer("unit_manager", unit=unit, sub=f"manager-{unit}")


def manager_principal(unit: str) -> Principal:
    return Principal(f"manager-{unit}", unit, frozenset({UNIT_MANAGER}), unit)


OFFICE = Principal("office", "安全保卫处", frozenset({SECURITY_OFFICE}), None)


@pytest.fixture
def app(make_app):
    app = make_app("reporting")
    with app.app_context(), state().session_factory() as session:
        commands.load_seed_campaign(session)
        session.commit()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


class Clock:
    def __init__(self, moment: datetime, step: timedelta = timedelta(0)) -> None:
        self.moment = moment
        self.step = step

    def __call__(self) -> datetime:
        self.moment += self.step
        return self.moment


@pytest.fixture
def clock(monkeypatch):
    """The endpoints' clock: 2021-11-12 10:00 campus time, before the first phase deadline."""
    fixed = Clock(datetime(2021, 11, 12, 2, 0, tzinfo=UTC))
    monkeypatch.setattr(work_api, "now", fixed)
    return fixed


def session_of(app):
    with app.app_context():
        return state().session_factory()


class Seed:
    def __init__(self, app) -> None:
        with session_of(app) as session:
            campaign = session.scalars(select(Campaign)).one()
            self.campaign_id = campaign.id
            self.tasks = {
                t.number: t.id
                for t in session.scalars(
                    select(CampaignTask).where(CampaignTask.campaign_id == campaign.id)
                )
            }
            self.phases = [p.id for p in lookups.phases(session, campaign.id)]

    def url(self, number: str, what: str) -> str:
        return f"/campaigns/{self.campaign_id}/tasks/{self.tasks[number]}/{what}"

    def work(self, number: str, phase: int, unit: str, action: str) -> str:
        return self.url(number, f"phases/{self.phases[phase]}/work/{unit}/{action}")


def phase_flags(app) -> list[Flag]:
    with session_of(app) as session:
        return list(
            session.scalars(
                select(Flag).where(Flag.rule == "phase_task_incomplete").order_by(Flag.cause_key)
            )
        )


def invalid_names(response) -> list[str]:
    return [p["name"] for p in response.get_json()["invalid_params"]]


def own_entry(client, seed: Seed, number: str, unit: str, phase: int = 0) -> None:
    """The unit's manager records its own phase work on the task."""
    entry = {"kind": "work_plan", "content": "制定专项整治工作方案", "phase_id": seed.phases[phase]}
    written = client.post(seed.url(number, "ledger"), json=entry, headers=manager(unit))
    assert written.status_code == 201, written.get_json()


def test_ledger_entries_by_the_task_leads_and_by_units_about_their_own_phase_work(
    client, app, clock
):
    seed = Seed(app)
    clock.step = timedelta(seconds=1)  # entries are listed in the order they were written
    entry = {"kind": "self_inspection", "content": "教学楼消防通道逐层排查"}
    written = client.post(seed.url("七", "ledger"), json=entry, headers=lead("BWC"))
    assert written.status_code == 201, written.get_json()
    body = written.get_json()
    assert (body["author_unit"], body["recorded_by"], body["kind_label"]) == (
        "BWC",
        "lead-BWC",
        "自查项目",
    )
    # 教务处 leads 十, not 七 (and answers for 七 through its manager, not its lead role).
    assert client.post(seed.url("七", "ledger"), json=entry, headers=lead("JWC")).status_code == 403
    assert client.post(seed.url("十", "ledger"), json=entry, headers=lead("JWC")).status_code == 201
    evidence = {
        "kind": "evidence",
        "content": "灭火器检查记录（机电工程学院）",
        "url": "https://oa.campus.example/docs/123",
        "reference": "校安〔2021〕12号",
        "unit_code": "JD",
        "phase_id": seed.phases[0],
    }
    assert client.post(seed.url("七", "ledger"), json=evidence, headers=SO).status_code == 201
    about_xx = {"kind": "action", "content": "信息工程学院更换应急照明", "unit_code": "XX"}
    assert (
        client.post(seed.url("七", "ledger"), json=about_xx, headers=lead("BWC")).status_code == 201
    )

    # A unit's manager writes its own phase work: about itself, in a units' phase.
    organisation = {"kind": "organisation", "content": "成立工作专班", "phase_id": seed.phases[0]}
    mine = client.post(seed.url("七", "ledger"), json=organisation, headers=manager("JD"))
    assert mine.status_code == 201, mine.get_json()
    assert (mine.get_json()["unit_code"], mine.get_json()["kind_label"]) == ("JD", "工作机构")
    for kind, label in (("work_plan", "工作方案"), ("check_ledger", "自查台账")):
        assert domain.LEDGER_KINDS[kind] == label
    rectify = {**organisation, "kind": "rectify_plan", "phase_id": seed.phases[1]}
    assert (
        client.post(seed.url("七", "ledger"), json=rectify, headers=manager("JD")).status_code
        == 201
    )
    about_other = client.post(
        seed.url("七", "ledger"), json={**organisation, "unit_code": "XX"}, headers=manager("JD")
    )
    assert about_other.status_code == 403
    no_phase = client.post(seed.url("七", "ledger"), json=entry, headers=manager("JD"))
    assert no_phase.status_code == 422 and invalid_names(no_phase) == ["phase_id"]
    theirs = {**organisation, "phase_id": seed.phases[2]}  # 督导检查: the lead departments'
    supervision = client.post(seed.url("七", "ledger"), json=theirs, headers=manager("JD"))
    assert supervision.status_code == 422 and invalid_names(supervision) == ["phase_id"]
    # 心理健康中心 does not answer for 十; grid staff write nothing.
    assert (
        client.post(
            seed.url("十", "ledger"), json=organisation, headers=manager("XLZX")
        ).status_code
        == 403
    )
    staff = bearer("grid_staff", unit="JD", sub="staff-jd")
    assert (
        client.post(seed.url("七", "ledger"), json=organisation, headers=staff).status_code == 403
    )

    bad_link = client.post(
        seed.url("七", "ledger"), json={**evidence, "url": "javascript:alert(1)"}, headers=SO
    )
    assert bad_link.status_code == 422 and invalid_names(bad_link) == ["url"]
    not_answering = client.post(
        seed.url("十", "ledger"), json={**entry, "unit_code": "XCB"}, headers=lead("JWC")
    )
    assert not_answering.status_code == 422 and invalid_names(not_answering) == ["unit_code"]
    other_phase = client.post(
        seed.url("七", "ledger"), json={**entry, "phase_id": "nope"}, headers=lead("BWC")
    )
    assert other_phase.status_code == 422 and invalid_names(other_phase) == ["phase_id"]
    missing = f"/campaigns/{seed.campaign_id}/tasks/nope/ledger"
    assert client.post(missing, json=entry, headers=SO).status_code == 404

    everything = client.get(seed.url("七", "ledger"), headers=LEADERSHIP).get_json()
    assert [e["kind"] for e in everything] == [
        "self_inspection",
        "evidence",
        "action",
        "organisation",
        "rectify_plan",
    ]
    # A responsible unit reads the task: what concerns the whole task or itself.
    jd = client.get(seed.url("七", "ledger"), headers=manager("JD")).get_json()
    assert [e["unit_code"] for e in jd] == [None, "JD", "JD", "JD"]
    # 心理健康中心 answers for 六 but not for 十.
    assert client.get(seed.url("十", "ledger"), headers=manager("XLZX")).status_code == 403
    only_evidence = client.get(seed.url("七", "ledger") + "?kind=evidence", headers=SO).get_json()
    assert [e["reference"] for e in only_evidence] == ["校安〔2021〕12号"]


def test_a_unit_submits_its_phase_work_a_lead_confirms_or_returns_it(client, app, clock):
    seed = Seed(app)
    own_entry(client, seed, "七", "JD")
    submitted = client.post(
        seed.work("七", 0, "JD", "submit"), json={"note": "自查完成"}, headers=manager("JD")
    )
    assert submitted.status_code == 200, submitted.get_json()
    body = submitted.get_json()
    assert (body["status"], body["late"], body["submitted_by"]) == (
        "submitted",
        False,
        "manager-JD",
    )
    assert body["submitted_at"] == "2021-11-12T02:00:00+00:00"
    twice = client.post(seed.work("七", 0, "JD", "submit"), json={}, headers=manager("JD"))
    assert twice.status_code == 409
    # Lead departments decide, they do not submit for a unit; other units never.
    for other in (lead("BWC"), manager("XX"), LEADERSHIP):
        assert (
            client.post(seed.work("七", 0, "JD", "submit"), json={}, headers=other).status_code
            == 403
        )
    # JWC leads 十, not 七; the unit itself does not confirm.
    for other in (lead("JWC"), manager("JD")):
        assert (
            client.post(seed.work("七", 0, "JD", "confirm"), json={}, headers=other).status_code
            == 403
        )
    clock.moment += timedelta(hours=1)
    confirmed = client.post(seed.work("七", 0, "JD", "confirm"), json={}, headers=lead("BWC"))
    assert confirmed.status_code == 200, confirmed.get_json()
    assert (confirmed.get_json()["status"], confirmed.get_json()["decided_by"]) == (
        "confirmed",
        "lead-BWC",
    )
    assert (
        client.post(seed.work("七", 0, "JD", "confirm"), json={}, headers=lead("BWC")).status_code
        == 409
    )

    # Returned with a reason, then submitted again (by the security office for the unit).
    own_entry(client, seed, "七", "XX")
    assert (
        client.post(seed.work("七", 0, "XX", "submit"), json={}, headers=manager("XX")).status_code
        == 200
    )
    no_reason = client.post(seed.work("七", 0, "XX", "return"), json={}, headers=lead("BWC"))
    assert no_reason.status_code == 422 and invalid_names(no_reason) == ["reason"]
    back = client.post(
        seed.work("七", 0, "XX", "return"), json={"reason": "缺少工作方案"}, headers=lead("BWC")
    )
    assert back.status_code == 200 and back.get_json()["status"] == "returned"
    assert (
        client.post(seed.work("七", 0, "XX", "confirm"), json={}, headers=lead("BWC")).status_code
        == 409
    )
    own_entry(client, seed, "七", "XX")  # open again: the unit completes its work
    again = client.post(seed.work("七", 0, "XX", "submit"), json={}, headers=SO)
    assert again.status_code == 200, again.get_json()
    assert [(s["step"], s["actor"], s["text"]) for s in again.get_json()["steps"]] == [
        ("submitted", "manager-XX", None),
        ("returned", "lead-BWC", "缺少工作方案"),
        ("submitted", "office", None),
    ]

    # 八 names no responsible unit: its lead departments answer for it, and one of them
    # never decides its own work (another lead, or the security office, does).
    own_entry(client, seed, "八", "HQC")
    assert (
        client.post(
            seed.work("八", 0, "HQC", "submit"), json={}, headers=manager("HQC")
        ).status_code
        == 200
    )
    assert (
        client.post(seed.work("八", 0, "HQC", "confirm"), json={}, headers=lead("HQC")).status_code
        == 403
    )
    assert (
        client.post(seed.work("八", 0, "HQC", "confirm"), json={}, headers=lead("DZB")).status_code
        == 200
    )
    # 九 has no lead department: the security office decides.
    own_entry(client, seed, "九", "HQC")
    assert (
        client.post(
            seed.work("九", 0, "HQC", "submit"), json={}, headers=manager("HQC")
        ).status_code
        == 200
    )
    assert client.post(seed.work("九", 0, "HQC", "confirm"), json={}, headers=SO).status_code == 200

    # A unit not answering for the task, an unknown phase: 404.
    assert (
        client.post(seed.work("十一", 0, "XCB", "submit"), json={}, headers=SO).status_code == 404
    )
    unknown = seed.url("七", "phases/nope/work/JD/submit")
    assert client.post(unknown, json={}, headers=SO).status_code == 404

    listed = client.get(seed.url("七", "completions"), headers=LEADERSHIP).get_json()
    assert [(c["unit_code"], c["status"], c["status_label"]) for c in listed] == [
        ("JD", "confirmed", "已确认"),
        ("XX", "submitted", "已提交"),
    ]
    only = client.get(seed.url("七", "completions") + "?status=confirmed", headers=SO).get_json()
    assert [c["unit_code"] for c in only] == ["JD"]
    mine = client.get(seed.url("七", "completions"), headers=manager("XX"))
    assert [c["unit_code"] for c in mine.get_json()] == ["XX"]
    assert phase_flags(app) == []  # all in time


def test_progress_matrix_shows_each_cells_status(client, app, clock):
    seed = Seed(app)
    for unit in ("JD", "XX", "CW"):
        own_entry(client, seed, "七", unit)
        client.post(seed.work("七", 0, unit, "submit"), json={}, headers=manager(unit))
    client.post(seed.work("七", 0, "JD", "confirm"), json={}, headers=lead("BWC"))
    client.post(
        seed.work("七", 0, "CW", "return"), json={"reason": "补充台账"}, headers=lead("BWC")
    )
    own_entry(client, seed, "十", "JD")
    client.post(seed.work("十", 0, "JD", "submit"), json={}, headers=manager("JD"))
    clock.moment = datetime(2021, 11, 16, 2, 0, tzinfo=UTC)  # the first phase is over
    own_entry(client, seed, "七", "JZ")
    late = client.post(seed.work("七", 0, "JZ", "submit"), json={}, headers=manager("JZ"))
    assert late.get_json()["late"] is True
    client.post(
        f"/campaigns/{seed.campaign_id}/supervision",
        json={"phase_id": seed.phases[2], "unit_code": "JD", "findings": "已督查", "score": 90},
        headers=lead("JWC"),
    )

    matrix = client.get(f"/campaigns/{seed.campaign_id}/progress", headers=SO)
    assert matrix.status_code == 200, matrix.get_json()
    body = matrix.get_json()
    assert [t["number"] for t in body["tasks"]][:3] == ["一", "二", "三"]
    assert [p["deadline"] for p in body["phases"]] == ["2021-11-15", "2021-12-15", "2021-12-30"]
    assert [p["party"] for p in body["phases"]] == ["units", "units", "lead_departments"]
    cells = 2 * UNITS_PER_PHASE + LEADS_PER_TASK
    assert body["summary"] == {
        "cells": cells,
        "not_submitted": cells - 5,
        "submitted": 3,  # XX and JZ on 七, JD on 十
        "confirmed": 1,
        "returned": 1,
        "late": 1,
        "overdue": UNITS_PER_PHASE - 4,  # only the first phase has passed; CW's came back
    }
    fire = next(t for t in body["tasks"] if t["number"] == "七")
    first, second, third = fire["phases"]
    assert (first["deadline_passed"], second["deadline_passed"]) == (True, False)
    assert first["by_status"] == {
        "not_submitted": 10,
        "submitted": 2,
        "confirmed": 1,
        "returned": 1,
    }
    cell = {c["unit_code"]: c for c in first["units"]}
    assert len(cell) == 14 and first["total"] == 14
    assert (cell["JD"]["status"], cell["JD"]["status_label"]) == ("confirmed", "已确认")
    assert cell["JD"]["submitted_at"] == "2021-11-12T02:00:00+00:00"
    assert (cell["JD"]["decided_by"], cell["JD"]["late"]) == ("lead-BWC", False)
    assert (cell["CW"]["status_label"], cell["CW"]["return_reason"]) == ("已退回", "补充台账")
    assert (cell["CW"]["overdue"], cell["JZ"]["late"], cell["JZ"]["overdue"]) == (True, True, False)
    assert (cell["MY"]["status_label"], cell["MY"]["overdue"]) == ("未提交", True)
    assert cell["JD"]["unit_name"] == "机电工程学院"
    assert not any(c["overdue"] for c in second["units"])
    # 督导检查: the task's lead department, with its reports on the colleges.
    assert [(c["unit_code"], c["supervised"], c["colleges"]) for c in third["units"]] == [
        ("BWC", 0, 5)
    ]
    lab = next(t for t in body["tasks"] if t["number"] == "十")
    assert [(c["unit_code"], c["supervised"]) for c in lab["phases"][2]["units"]] == [("JWC", 1)]
    traffic = next(t for t in body["tasks"] if t["number"] == "八")
    assert [c["unit_code"] for c in traffic["phases"][0]["units"]] == ["HQC", "DZB", "BWC"]

    assert (
        client.get(f"/campaigns/{seed.campaign_id}/progress", headers=LEADERSHIP).status_code == 200
    )
    jwc = client.get(f"/campaigns/{seed.campaign_id}/progress", headers=lead("JWC")).get_json()
    assert [t["number"] for t in jwc["tasks"]] == ["十"]
    unit = bearer("unit_manager", unit="JD")
    assert client.get(f"/campaigns/{seed.campaign_id}/progress", headers=unit).status_code == 403
    assert client.get("/campaigns/nope/progress", headers=SO).status_code == 404


def test_phase_sweep_flags_the_party_of_each_phase_once(app):
    seed = Seed(app)
    with session_of(app) as session:
        # Every unit of the campaign is in the grid; JD's unit cell's head answers for it.
        seed_unit_head(session, "JD", "机电工程学院", "p-li", "李娜")
        units = session.execute(select(CampaignUnit.unit_code, CampaignUnit.name)).all()
        seed_grid_units(session, dict(units))
        in_time = datetime(2021, 11, 15, 15, 59, tzinfo=UTC)  # 23:59 on the deadline
        fire, first_phase = seed.tasks["七"], seed.phases[0]

        def submit(unit: str, at: datetime):
            ledger.add_ledger_entry(
                session,
                manager_principal(unit),
                seed.campaign_id,
                fire,
                {"kind": "check_ledger", "content": "自查台账", "phase_id": first_phase},
                at,
            )
            return phase_work.submit_work(
                session,
                manager_principal(unit),
                seed.campaign_id,
                fire,
                first_phase,
                unit,
                {},
                at,
                TZ,
            )

        for unit in ("JD", "XX"):
            submit(unit, in_time)
        completion = submit("CW", datetime(2021, 11, 16, 1, 0, tzinfo=UTC))
        assert completion.late
        session.commit()
    [late_flag] = phase_flags(app)  # raised when the late submission was recorded
    assert late_flag.unit_code == "CW" and late_flag.evidence["submitted_at"].startswith(
        "2021-11-16T09:00"
    )

    with app.app_context():
        factory, cfg = state().session_factory, state().settings
    assert run_phase_sweep in TASKS
    before = datetime(2021, 11, 15, 15, 59, 59, tzinfo=UTC)
    assert run_phase_sweep(factory, cfg, before) == {"phase_flags": 0}
    after = datetime(2021, 11, 15, 16, 0, tzinfo=UTC)  # 2021-11-16 00:00 campus time
    assert run_phase_sweep(factory, cfg, after) == {"phase_flags": UNITS_PER_PHASE - 3}
    assert run_phase_sweep(factory, cfg, after) == {"phase_flags": 0}

    flags = phase_flags(app)
    assert len(flags) == UNITS_PER_PHASE - 2
    fire_flags = [f for f in flags if f.evidence["task_number"] == "七"]
    assert sorted(f.unit_code for f in fire_flags) == sorted(
        ["CW", "JZ", "MY", "DZB", "BWC", "XGC", "HQC", "JWC", "XCB", "TW", "XLZX", "SZC"]
    )
    assert {f.evidence["deadline"] for f in flags} == {"2021-11-15"}
    assert {f.evidence["phase_id"] for f in flags} == {seed.phases[0]}
    assert {f.evidence["work_status_at_deadline"] for f in flags} == {"not_submitted"}
    assert all(f.campaign_id == seed.campaign_id and f.status == "open" for f in flags)
    food = [f for f in flags if f.evidence["task_number"] == "九"]
    assert [(f.unit_code, f.evidence["task_title"]) for f in food] == [("HQC", "食品安全整治")]
    traffic = sorted(f.unit_code for f in flags if f.evidence["task_number"] == "八")
    assert traffic == ["BWC", "DZB", "HQC"]
    jd = [f for f in flags if f.unit_code == "JD"]
    assert jd and all(f.person_name == "李娜" for f in jd)

    # The next phase passes: its own flags, once.
    later = datetime(2021, 12, 16, 1, 0, tzinfo=UTC)
    assert run_phase_sweep(factory, cfg, later) == {"phase_flags": UNITS_PER_PHASE}
    assert run_phase_sweep(factory, cfg, later) == {"phase_flags": 0}

    # 督导检查 is the lead departments' phase: one flag per lead department (none wrote a
    # report), whatever the number of tasks it leads; no college, no office as a unit.
    last = datetime(2021, 12, 31, 1, 0, tzinfo=UTC)
    assert run_phase_sweep(factory, cfg, last) == {"phase_flags": LEAD_DEPARTMENTS}
    assert run_phase_sweep(factory, cfg, last) == {"phase_flags": 0}
    third = [f for f in phase_flags(app) if f.evidence["phase_id"] == seed.phases[2]]
    assert sorted(f.unit_code for f in third) == ["BWC", "DZB", "HQC", "JWC", "XCB", "XGC"]
    bwc = next(f for f in third if f.unit_code == "BWC").evidence
    assert bwc["missing_colleges"] == ["CW", "JD", "JZ", "MY", "XX"]
    assert bwc["tasks_led"] == ["一", "二", "三", "四", "五", "六", "七", "八"]


def test_units_the_grid_does_not_know_are_not_flagged(app):
    seed = Seed(app)
    with session_of(app) as session:
        seed_grid_units(session, {"JD": "机电工程学院", "JWC": "教务处"})
        session.commit()
    with app.app_context():
        factory, cfg = state().session_factory, state().settings
    run_phase_sweep(factory, cfg, datetime(2021, 12, 31, 1, 0, tzinfo=UTC))
    flagged = {(f.unit_code, f.evidence["phase_id"]) for f in phase_flags(app)}
    assert {unit for unit, _ in flagged} == {"JD", "JWC"}
    assert ("JWC", seed.phases[2]) in flagged and ("JD", seed.phases[2]) not in flagged


def report(phase_id: str, unit_code: str = "JD", score=85) -> dict:
    return {
        "phase_id": phase_id,
        "unit_code": unit_code,
        "findings": "消防器材配置基本到位；实训楼二层疏散指示缺失，已限期整改。",
        "score": score,
    }


def test_supervision_reports_one_per_college_phase_and_department(client, app, clock):
    seed = Seed(app)
    url = f"/campaigns/{seed.campaign_id}/supervision"
    supervision = seed.phases[2]
    created = client.post(url, json=report(supervision), headers=lead("BWC"))
    assert created.status_code == 201, created.get_json()
    assert created.headers["ETag"] == '"1"'
    body = created.get_json()
    assert (body["author_unit"], body["unit_code"], body["unit_name"], body["score"]) == (
        "BWC",
        "JD",
        "机电工程学院",
        85,
    )
    assert body["editable_until"] == "2022-01-30"
    again = client.post(url, json=report(supervision, score=90), headers=lead("BWC"))
    assert again.status_code == 409
    assert client.post(url, json=report(seed.phases[1]), headers=lead("BWC")).status_code == 201
    assert client.post(url, json=report(supervision), headers=lead("JWC")).status_code == 201

    for score in (101, -1, 85.5, "高"):
        bad = client.post(url, json=report(supervision, "XX", score), headers=lead("BWC"))
        assert bad.status_code == 422 and invalid_names(bad) == ["score"], score
    office = client.post(url, json=report(supervision, "DZB"), headers=lead("BWC"))
    assert office.status_code == 422 and invalid_names(office) == ["unit_code"]
    unit = bearer("unit_manager", unit="JD")
    assert client.post(url, json=report(supervision, "XX"), headers=unit).status_code == 403
    assert client.post(url, json=report(supervision, "XX"), headers=SO).status_code == 403

    assert len(client.get(url, headers=SO).get_json()) == 3
    assert len(client.get(url, headers=unit).get_json()) == 3  # all about JD
    assert client.get(url, headers=bearer("unit_manager", unit="XX")).get_json() == []
    assert len(client.get(url, headers=lead("JWC")).get_json()) == 1
    phase_only = client.get(f"{url}?phase_id={supervision}", headers=SO).get_json()
    assert sorted(r["author_unit"] for r in phase_only) == ["BWC", "JWC"]
    one = f"{url}/{body['id']}"
    assert client.get(one, headers=bearer("unit_manager", unit="XX")).status_code == 403
    assert client.get(one, headers=unit).headers["ETag"] == '"1"'

    change = {"findings": "复查：疏散指示已补齐。", "score": 92}
    replaced = client.put(one, json=change, headers={**lead("BWC"), "If-Match": '"1"'})
    assert replaced.status_code == 200, replaced.get_json()
    assert (replaced.get_json()["score"], replaced.headers["ETag"]) == (92, '"2"')
    stale = client.put(one, json=change, headers={**lead("BWC"), "If-Match": '"1"'})
    assert stale.status_code == 412
    assert client.put(one, json=change, headers=lead("JWC")).status_code == 403
    bad = client.put(one, json={**change, "score": 120}, headers=lead("BWC"))
    assert bad.status_code == 422 and invalid_names(bad) == ["score"]
    clock.moment = datetime(2022, 1, 30, 15, 59, tzinfo=UTC)  # 2022-01-30 23:59 campus time
    assert client.put(one, json=change, headers=lead("BWC")).status_code == 200
    clock.moment = datetime(2022, 1, 30, 16, 0, tzinfo=UTC)  # locked from 01-31 00:00
    locked = client.put(one, json=change, headers=lead("BWC"))
    assert locked.status_code == 409 and "已锁定" in locked.get_json()["detail"]
