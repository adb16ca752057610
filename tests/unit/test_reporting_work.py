"""Task work ledgers, completions, the progress matrix, phase-task flags, supervision reports
and the year-end assessment (SQLite, the 2021 seed campaign, a fixed clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from services.reporting import commands, work
from services.reporting.api import work as work_api
from services.reporting.models import (
    Campaign,
    CampaignTask,
    Flag,
)
from services.reporting.sweeps import TASKS, run_phase_sweep
from shared.api import state
from shared.auth import LEAD_DEPARTMENT, SECURITY_OFFICE, Principal
from shared.testing.fixtures import bearer
from shared.testing.reporting import seed_unit_head

SO = bearer("security_office", sub="office")
LEADERSHIP = bearer("leadership", sub="leader")
TZ = "Asia/Shanghai"
# Units answering for each 2021 task in every phase: 一–五 and 七 all 14 units, 六 8,
# 八 its 3 lead departments (no responsible unit named), 九 1, 十 7, 十一 6, 十二 6 (MY is
# listed twice in the plan's table).
UNITS_PER_PHASE = 6 * 14 + 8 + 3 + 1 + 7 + 6 + 6


def lead(unit: str) -> dict:
    return bearer("lead_department", unit=unit, sub=f"lead-{unit}")


def lead_principal(unit: str) -> Principal:
    return Principal(f"lead-{unit}", unit, frozenset({LEAD_DEPARTMENT}), unit)


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
            self.phases = [p.id for p in work.phases(session, campaign.id)]

    def url(self, number: str, what: str) -> str:
        return f"/campaigns/{self.campaign_id}/tasks/{self.tasks[number]}/{what}"


def phase_flags(app) -> list[Flag]:
    with session_of(app) as session:
        return list(
            session.scalars(
                select(Flag).where(Flag.rule == "phase_task_incomplete").order_by(Flag.cause_key)
            )
        )


def invalid_names(response) -> list[str]:
    return [p["name"] for p in response.get_json()["invalid_params"]]


def test_ledger_entries_are_written_by_the_task_lead_only(client, app, clock):
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
    # 教务处 leads 十, not 七; a unit manager leads nothing.
    assert client.post(seed.url("七", "ledger"), json=entry, headers=lead("JWC")).status_code == 403
    assert (
        client.post(
            seed.url("七", "ledger"), json=entry, headers=bearer("unit_manager", unit="JD")
        ).status_code
        == 403
    )
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
    assert [e["kind"] for e in everything] == ["self_inspection", "evidence", "action"]
    # A responsible unit reads the task: what concerns the whole task or itself.
    mine = client.get(seed.url("七", "ledger"), headers=bearer("unit_manager", unit="JD"))
    assert [e["unit_code"] for e in mine.get_json()] == [None, "JD"]
    # 心理健康中心 answers for 六 but not for 十.
    assert (
        client.get(
            seed.url("十", "ledger"), headers=bearer("unit_manager", unit="XLZX")
        ).status_code
        == 403
    )
    only_evidence = client.get(seed.url("七", "ledger") + "?kind=evidence", headers=SO).get_json()
    assert [e["reference"] for e in only_evidence] == ["校安〔2021〕12号"]


def test_completions_once_per_task_phase_and_unit(client, app, clock):
    seed = Seed(app)
    done = {"phase_id": seed.phases[0], "unit_code": "JD", "note": "自查完成"}
    first = client.post(seed.url("七", "completions"), json=done, headers=lead("BWC"))
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["late"], first.get_json()["completed_by"]) == (False, "lead-BWC")
    assert first.get_json()["completed_at"] == "2021-11-12T02:00:00+00:00"
    assert client.post(seed.url("七", "completions"), json=done, headers=SO).status_code == 409
    assert (
        client.post(seed.url("七", "completions"), json=done, headers=lead("JWC")).status_code
        == 403
    )
    outsider = client.post(
        seed.url("十一", "completions"), json={**done, "unit_code": "XCB"}, headers=lead("HQC")
    )
    assert outsider.status_code == 422 and invalid_names(outsider) == ["unit_code"]
    no_phase = client.post(
        seed.url("七", "completions"), json={"unit_code": "XX"}, headers=lead("BWC")
    )
    assert no_phase.status_code == 422 and invalid_names(no_phase) == ["phase_id"]
    # 八 names no responsible unit: its lead departments answer for it themselves.
    assert (
        client.post(
            seed.url("八", "completions"), json={**done, "unit_code": "HQC"}, headers=lead("HQC")
        ).status_code
        == 201
    )
    assert (
        client.post(
            seed.url("七", "completions"), json={**done, "unit_code": "XX"}, headers=SO
        ).status_code
        == 201
    )
    listed = client.get(seed.url("七", "completions"), headers=LEADERSHIP).get_json()
    assert [c["unit_code"] for c in listed] == ["JD", "XX"]
    mine = client.get(seed.url("七", "completions"), headers=bearer("unit_manager", unit="XX"))
    assert [c["unit_code"] for c in mine.get_json()] == ["XX"]
    assert phase_flags(app) == []  # all in time


def test_progress_matrix_tasks_by_phases_by_units(client, app, clock):
    seed = Seed(app)
    done = {"phase_id": seed.phases[0], "unit_code": "JD"}
    client.post(seed.url("七", "completions"), json=done, headers=lead("BWC"))
    client.post(seed.url("十", "completions"), json=done, headers=lead("JWC"))
    clock.moment = datetime(2021, 11, 16, 2, 0, tzinfo=UTC)  # the first phase is over
    late = {"phase_id": seed.phases[0], "unit_code": "XX"}
    assert (
        client.post(seed.url("七", "completions"), json=late, headers=lead("BWC")).get_json()[
            "late"
        ]
        is True
    )
    matrix = client.get(f"/campaigns/{seed.campaign_id}/progress", headers=SO)
    assert matrix.status_code == 200, matrix.get_json()
    body = matrix.get_json()
    assert [t["number"] for t in body["tasks"]][:3] == ["一", "二", "三"]
    assert [p["deadline"] for p in body["phases"]] == ["2021-11-15", "2021-12-15", "2021-12-30"]
    assert body["summary"] == {
        "cells": 3 * UNITS_PER_PHASE,
        "completed": 3,
        "late": 1,
        "overdue": UNITS_PER_PHASE - 3,  # only the first phase has passed
    }
    fire = next(t for t in body["tasks"] if t["number"] == "七")
    first, second = fire["phases"][0], fire["phases"][1]
    assert (first["deadline_passed"], second["deadline_passed"]) == (True, False)
    cells = {c["unit_code"]: c for c in first["units"]}
    assert len(cells) == 14 and (first["completed"], first["total"]) == (2, 14)
    assert cells["JD"]["completed"] and cells["JD"]["completed_at"] == "2021-11-12T02:00:00+00:00"
    assert (cells["JD"]["late"], cells["XX"]["late"]) == (False, True)
    assert (cells["CW"]["completed"], cells["CW"]["overdue"]) == (False, True)
    assert cells["JD"]["unit_name"] == "机电工程学院"
    assert not any(c["overdue"] for c in second["units"])
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


def test_phase_sweep_flags_each_unfinished_task_and_unit_once(app):
    seed = Seed(app)
    with session_of(app) as session:
        # JD's grid: its unit cell's head answers for the unit's flags.
        seed_unit_head(session, "JD", "机电工程学院", "p-li", "李娜")
        in_time = datetime(2021, 11, 15, 15, 59, tzinfo=UTC)  # 23:59 on the deadline
        first_phase = {"phase_id": seed.phases[0]}
        bwc = lead_principal("BWC")
        for unit in ("JD", "XX"):
            work.complete(
                session,
                bwc,
                seed.campaign_id,
                seed.tasks["七"],
                {**first_phase, "unit_code": unit},
                in_time,
                TZ,
            )
        late = datetime(2021, 11, 16, 1, 0, tzinfo=UTC)
        completion = work.complete(
            session,
            bwc,
            seed.campaign_id,
            seed.tasks["七"],
            {**first_phase, "unit_code": "CW"},
            late,
            TZ,
        )
        assert completion.late
        session.commit()
    [late_flag] = phase_flags(app)  # raised when the late completion was recorded
    assert late_flag.unit_code == "CW" and late_flag.evidence["completed_at"].startswith(
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
    fire = [f for f in flags if f.evidence["task_number"] == "七"]
    assert sorted(f.unit_code for f in fire) == sorted(
        ["CW", "JZ", "MY", "DZB", "BWC", "XGC", "HQC", "JWC", "XCB", "TW", "XLZX", "SZC"]
    )
    assert {f.evidence["deadline"] for f in flags} == {"2021-11-15"}
    assert {f.evidence["phase_id"] for f in flags} == {seed.phases[0]}
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
    assert locked.status_code == 409 and "locked" in locked.get_json()["detail"]
