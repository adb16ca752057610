"""Rule 8: phase work by the party the plan names.

The plan (四、时间安排):
- 第一阶段，自查自纠阶段（2021 年 11 月 15 日前）："各二级学院要结合本单位实际，健全工作机构，
  配强人员力量，制定具体工作方案，明确工作进度，排隐患、查漏项、补短板，确保任务落实。"
- 第二阶段，整改完善阶段（2021 年 12 月 15 日前）："各二级学院、各牵头处室针对自查发现的未达标
  任务和薄弱环节，逐一制定整改方案……"
- 第三阶段，督导检查阶段（2021年12月30日前）："各牵头部门要对各二级学院开展专项整治各环节工作
  进行督导检查，及时发现和解决问题。同时形成督查报告，作为各二级学院年终考核的一项依据。"

So a college keeps its own phase work (工作机构、工作方案、自查台账、整改方案, with evidence
files) and marks it done; a lead department of the task confirms it or sends it back; after
a units' phase deadline a college whose work did not stand submitted then is flagged; the
督导检查 phase is the lead departments' own (the campaign's data says so: ``party``), and a
lead department without a supervision report on every college by its deadline is flagged,
never the colleges. Fixed clocks throughout; the sweep is the worker's (run_phase_sweep).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from services.reporting import commands
from services.reporting.models import Campaign, CampaignPhase, CampaignTask, Flag
from services.reporting.sweeps import run_phase_sweep
from services.reporting.work import api as work_api
from shared.api import state
from tests.support.fixtures import bearer
from tests.support.reporting import seed_grid_units, seed_unit_head

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2
BWC = bearer("lead_department", unit="BWC", sub="lead-bwc")  # 安全保卫处 leads 七 消防安全整治
JWC = bearer("lead_department", unit="JWC", sub="lead-jwc")  # 教务处 leads 十 only
SO = bearer("security_office", sub="office")
COLLEGES = {"JD": "机电工程学院", "XX": "信息工程学院", "CW": "财经商贸学院", "JZ": "建筑工程学院"}
COLLEGES["MY"] = "马克思主义学院"
OFFICES = {"DZB": "党政办公室", "BWC": "安全保卫处", "XGC": "学生工作处", "HQC": "后勤管理处"}
OFFICES |= {"JWC": "教务处", "XCB": "宣传统战部", "TW": "团委", "XLZX": "心理健康中心"}
OFFICES["SZC"] = "思政处"
# Campus times (Asia/Shanghai = UTC+8).
BEFORE_FIRST = datetime(2021, 11, 12, 2, 0, tzinfo=UTC)  # 11-12 10:00, phase 一 still open
AFTER_FIRST = datetime(2021, 11, 15, 16, 0, tzinfo=UTC)  # 11-16 00:00: 11-15 has passed
BEFORE_THIRD = datetime(2021, 12, 28, 2, 0, tzinfo=UTC)  # 12-28 10:00
AFTER_THIRD = datetime(2021, 12, 30, 16, 0, tzinfo=UTC)  # 12-31 00:00: 12-30 has passed


def manager(unit: str) -> dict[str, str]:
    return bearer("unit_manager", unit=unit, sub=f"manager-{unit.lower()}")


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fixed = Clock(BEFORE_FIRST)
    monkeypatch.setattr(work_api, "now", fixed)
    return fixed


@pytest.fixture
def app(make_app, tmp_path):
    app = make_app("reporting", files_dir=str(tmp_path / "files"))
    with app.app_context(), state().session_factory() as session:
        commands.load_seed_campaign(session)
        for code, name in COLLEGES.items():
            seed_unit_head(session, code, name, f"head-{code.lower()}", f"{name}负责人")
        seed_grid_units(session, OFFICES, kind="office")
        session.commit()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


class Campaign2021:
    def __init__(self, app) -> None:
        with app.app_context(), state().session_factory() as session:
            self.id = session.scalars(select(Campaign.id)).one()
            self.tasks = dict(session.execute(select(CampaignTask.number, CampaignTask.id)).all())
            self.phases = dict(session.execute(select(CampaignPhase.code, CampaignPhase.id)).all())

    def work(self, number: str, phase: str, unit: str, action: str) -> str:
        task, phase_id = self.tasks[number], self.phases[phase]
        return f"/campaigns/{self.id}/tasks/{task}/phases/{phase_id}/work/{unit}/{action}"

    def ledger(self, number: str) -> str:
        return f"/campaigns/{self.id}/tasks/{self.tasks[number]}/ledger"


@pytest.fixture
def campaign(app) -> Campaign2021:
    return Campaign2021(app)


def sweep(app, now: datetime) -> dict[str, int]:
    with app.app_context():
        return run_phase_sweep(state().session_factory, state().settings, now)


def phase_flags(app) -> list[Flag]:
    with app.app_context(), state().session_factory() as session:
        return list(
            session.scalars(
                select(Flag).where(Flag.rule == "phase_task_incomplete").order_by(Flag.cause_key)
            )
        )


def fire_flags(app, phase_id: str) -> dict[str, Flag]:
    return {
        f.unit_code: f
        for f in phase_flags(app)
        if f.evidence["phase_id"] == phase_id and f.evidence.get("task_number") == "七"
    }


def record_work(client, campaign: Campaign2021, unit: str, kind: str = "organisation") -> str:
    """The unit's manager writes its own ledger entry for 七 in 自查自纠 and attaches a file."""
    entry = client.post(
        campaign.ledger("七"),
        json={
            "kind": kind,
            "content": f"{COLLEGES[unit]}成立消防安全专项整治工作专班，院长任组长",
            "phase_id": campaign.phases["self_inspection"],
        },
        headers=manager(unit),
    )
    assert entry.status_code == 201, entry.get_json()
    body = entry.get_json()
    assert (body["unit_code"], body["author_unit"], body["kind_label"]) == (
        unit,
        unit,
        {"organisation": "工作机构", "check_ledger": "自查台账"}[kind],
    )
    upload = client.post(
        f"{campaign.ledger('七')}/{body['id']}/files",
        data={"file": (io.BytesIO(PNG), "工作专班文件.png")},
        content_type="multipart/form-data",
        headers=manager(unit),
    )
    assert upload.status_code == 201, upload.get_json()
    return body["id"]


def reasons(response) -> dict[str, str]:
    return {p["name"]: p["reason"] for p in response.get_json().get("invalid_params", [])}


def test_a_college_submits_its_work_with_evidence_in_time_and_the_lead_confirms_no_flag(
    client, app, campaign, clock
):
    """自查自纠阶段："各二级学院要结合本单位实际，健全工作机构……制定具体工作方案". 机电工程学院
    records its 工作机构 with a file, marks the phase done before 11-15, 安全保卫处 (the lead
    of 七) confirms it: after the deadline no flag names 机电工程学院 for 七."""
    record_work(client, campaign, "JD")
    submitted = client.post(
        campaign.work("七", "self_inspection", "JD", "submit"),
        json={"note": "工作机构、工作方案已建立"},
        headers=manager("JD"),
    )
    assert submitted.status_code == 200, submitted.get_json()
    body = submitted.get_json()
    assert (body["status"], body["status_label"], body["late"]) == ("submitted", "已提交", False)
    assert (body["submitted_by"], body["submitted_at"]) == (
        "manager-jd",
        "2021-11-12T02:00:00+00:00",
    )

    # Submitted work is frozen for the unit until it comes back.
    frozen = client.post(
        campaign.ledger("七"),
        json={
            "kind": "work_plan",
            "content": "补充方案",
            "phase_id": campaign.phases["self_inspection"],
        },
        headers=manager("JD"),
    )
    assert frozen.status_code == 409 and "submitted" in frozen.get_json()["detail"]

    clock.moment = datetime(2021, 11, 13, 1, 0, tzinfo=UTC)
    confirmed = client.post(
        campaign.work("七", "self_inspection", "JD", "confirm"), json={}, headers=BWC
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    work = confirmed.get_json()
    assert (work["status_label"], work["decided_by"], work["decided_unit"]) == (
        "已确认",
        "lead-bwc",
        "BWC",
    )
    assert [(s["step"], s["actor"], s["actor_unit"], s["at"]) for s in work["steps"]] == [
        ("submitted", "manager-jd", "JD", "2021-11-12T02:00:00+00:00"),
        ("confirmed", "lead-bwc", "BWC", "2021-11-13T01:00:00+00:00"),
    ]

    assert sweep(app, datetime(2021, 11, 15, 15, 59, tzinfo=UTC)) == {"phase_flags": 0}
    assert sweep(app, AFTER_FIRST)["phase_flags"] > 0  # others did not submit
    flagged = fire_flags(app, campaign.phases["self_inspection"])
    assert "JD" not in flagged and "XX" in flagged

    clock.moment = AFTER_FIRST
    matrix = client.get(f"/campaigns/{campaign.id}/progress", headers=BWC).get_json()
    fire = next(t for t in matrix["tasks"] if t["number"] == "七")
    cells = {c["unit_code"]: c for c in fire["phases"][0]["units"]}
    assert (cells["JD"]["status_label"], cells["JD"]["late"], cells["JD"]["overdue"]) == (
        "已确认",
        False,
        False,
    )
    assert (cells["XX"]["status_label"], cells["XX"]["overdue"]) == ("未提交", True)


def test_a_college_that_never_submits_is_flagged_after_the_deadline_once(
    client, app, campaign, clock
):
    """自查自纠阶段（2021 年 11 月 15 日前）：信息工程学院 never marks its work on 七 done. Nothing
    is raised on the deadline day; from 11-16 00:00 it is flagged (阶段任务未按期完成), naming
    its head, once however often the sweep runs."""
    assert sweep(app, datetime(2021, 11, 15, 15, 59, 59, tzinfo=UTC)) == {"phase_flags": 0}
    assert phase_flags(app) == []
    first = sweep(app, AFTER_FIRST)["phase_flags"]
    assert first > 0 and sweep(app, AFTER_FIRST) == {"phase_flags": 0}
    xx = fire_flags(app, campaign.phases["self_inspection"])["XX"]
    assert (xx.person_name, xx.status) == ("信息工程学院负责人", "open")
    assert xx.evidence["work_status_at_deadline"] == "not_submitted"
    assert (xx.evidence["phase"], xx.evidence["deadline"]) == ("自查自纠阶段", "2021-11-15")

    # Submitted late: recorded as late, and the flag stays the one flag of that cause.
    clock.moment = datetime(2021, 11, 17, 2, 0, tzinfo=UTC)
    record_work(client, campaign, "XX", kind="check_ledger")
    late = client.post(
        campaign.work("七", "self_inspection", "XX", "submit"), json={}, headers=manager("XX")
    )
    assert late.status_code == 200 and late.get_json()["late"] is True
    after = [
        f for f in phase_flags(app) if f.unit_code == "XX" and f.evidence["task_number"] == "七"
    ]
    assert [f.id for f in after] == [xx.id]  # one cause, one flag
    assert sweep(app, datetime(2021, 11, 18, tzinfo=UTC)) == {"phase_flags": 0}


def test_work_sent_back_and_not_resubmitted_by_the_deadline_is_flagged(
    client, app, campaign, clock
):
    """整改要"四落实": 安全保卫处 returns 财经学院's work with a reason before 11-15 and the
    college does not submit it again in time — flagged, the reason in the evidence. 建筑工程学院,
    returned and resubmitted before the deadline, is not; 马克思主义学院, whose work was in time
    and returned only after the deadline, is not flagged for the lead's late review."""
    for unit in ("CW", "JZ", "MY"):
        record_work(client, campaign, unit)
        submit = campaign.work("七", "self_inspection", unit, "submit")
        assert client.post(submit, json={}, headers=manager(unit)).status_code == 200

    clock.moment = datetime(2021, 11, 14, 2, 0, tzinfo=UTC)
    reason = "工作方案未明确整改时限和责任人"
    for unit in ("CW", "JZ"):
        back = client.post(
            campaign.work("七", "self_inspection", unit, "return"),
            json={"reason": reason},
            headers=BWC,
        )
        assert back.status_code == 200, back.get_json()
        assert (back.get_json()["status_label"], back.get_json()["return_reason"]) == (
            "已退回",
            reason,
        )

    clock.moment = datetime(2021, 11, 15, 8, 0, tzinfo=UTC)  # 16:00 on the deadline day
    record_work(client, campaign, "JZ", kind="check_ledger")  # open again once returned
    again = client.post(
        campaign.work("七", "self_inspection", "JZ", "submit"), json={}, headers=manager("JZ")
    )
    assert again.status_code == 200 and again.get_json()["late"] is False
    assert [s["step"] for s in again.get_json()["steps"]] == ["submitted", "returned", "submitted"]

    clock.moment = datetime(2021, 11, 16, 2, 0, tzinfo=UTC)  # the day after the deadline
    assert (
        client.post(
            campaign.work("七", "self_inspection", "MY", "return"),
            json={"reason": reason},
            headers=BWC,
        ).status_code
        == 200
    )

    sweep(app, datetime(2021, 11, 16, 3, 0, tzinfo=UTC))
    flagged = fire_flags(app, campaign.phases["self_inspection"])
    assert "CW" in flagged and "JZ" not in flagged and "MY" not in flagged
    cw = flagged["CW"].evidence
    assert (cw["work_status_at_deadline"], cw["return_reason"]) == ("returned", reason)
    assert cw["returned_at"].startswith("2021-11-14T10:00")


def test_errors_name_the_reason_and_write_nothing(client, app, campaign, clock):
    """Only the unit (or the security office for it) submits its work, once; only a lead
    department of the task confirms or returns it, a return needs its reason; the 督导检查
    phase is not a unit's to submit."""
    record_work(client, campaign, "JD")
    submit = campaign.work("七", "self_inspection", "JD", "submit")
    for other in (manager("XX"), BWC, bearer("grid_staff", unit="JD", sub="staff")):
        refused = client.post(submit, json={}, headers=other)
        assert refused.status_code == 403, refused.get_json()
        assert refused.mimetype == "application/problem+json"
    wrong_unit = client.post(
        campaign.ledger("七"),
        json={
            "kind": "organisation",
            "content": "x",
            "unit_code": "JD",
            "phase_id": campaign.phases["self_inspection"],
        },
        headers=manager("XX"),
    )
    assert wrong_unit.status_code == 403
    no_phase = client.post(
        campaign.ledger("七"), json={"kind": "organisation", "content": "x"}, headers=manager("XX")
    )
    assert no_phase.status_code == 422 and "phase_id" in reasons(no_phase)

    confirm = campaign.work("七", "self_inspection", "JD", "confirm")
    not_yet = client.post(confirm, json={}, headers=BWC)
    assert not_yet.status_code == 409 and "not_submitted" in not_yet.get_json()["detail"]
    nothing_recorded = client.post(
        campaign.work("七", "self_inspection", "XX", "submit"), json={}, headers=manager("XX")
    )
    assert (
        nothing_recorded.status_code == 422
        and "还没有台账记录" in reasons(nothing_recorded)["phase_id"]
    )

    assert client.post(submit, json={}, headers=manager("JD")).status_code == 200
    twice = client.post(submit, json={}, headers=manager("JD"))
    assert twice.status_code == 409 and twice.mimetype == "application/problem+json"

    ret = campaign.work("七", "self_inspection", "JD", "return")
    for body in ({}, {"reason": "   "}):
        no_reason = client.post(ret, json=body, headers=BWC)
        assert no_reason.status_code == 422 and "reason" in reasons(no_reason)
    for outsider in (JWC, manager("JD")):  # JWC answers for 七 but does not lead it
        assert client.post(confirm, json={}, headers=outsider).status_code == 403
    assert client.post(confirm, json={}, headers=BWC).status_code == 200
    assert client.post(confirm, json={}, headers=BWC).status_code == 409
    assert client.post(ret, json={"reason": "再补充"}, headers=BWC).status_code == 409

    listed = client.get(
        f"/campaigns/{campaign.id}/tasks/{campaign.tasks['七']}/completions", headers=SO
    )
    assert [(w["unit_code"], w["status"]) for w in listed.get_json()] == [("JD", "confirmed")]

    supervision = campaign.work("七", "supervision", "JD", "submit")
    theirs = client.post(supervision, json={}, headers=manager("JD"))
    assert theirs.status_code == 422 and "是牵头部门的阶段" in reasons(theirs)["phase_id"]


def report(client, campaign: Campaign2021, lead: dict, college: str):
    response = client.post(
        f"/campaigns/{campaign.id}/supervision",
        json={
            "phase_id": campaign.phases["supervision"],
            "unit_code": college,
            "findings": "专项整治各环节工作已督导检查，问题已反馈整改。",
            "score": 88,
        },
        headers=lead,
    )
    assert response.status_code == 201, response.get_json()


def test_supervision_phase_flags_the_lead_department_missing_its_reports_not_the_colleges(
    client, app, campaign, clock
):
    """督导检查阶段（2021年12月30日前）："各牵头部门要对各二级学院开展专项整治各环节工作进行
    督导检查……同时形成督查报告". 安全保卫处 reports on every college in time; 教务处 (lead of
    十) reports on 机电工程学院 only, and on 信息工程学院 after the deadline. At 12-31 教务处
    is flagged, listing the colleges it had not reported on; no college is flagged for this
    phase, though none of them did anything in it."""
    clock.moment = BEFORE_THIRD
    for college in COLLEGES:
        report(client, campaign, BWC, college)
    report(client, campaign, JWC, "JD")
    clock.moment = datetime(2021, 12, 31, 2, 0, tzinfo=UTC)
    report(client, campaign, JWC, "XX")  # a day late: still missing at the deadline

    sweep(app, AFTER_THIRD)
    third = [
        f for f in phase_flags(app) if f.evidence["phase_id"] == campaign.phases["supervision"]
    ]
    by_unit = {f.unit_code: f for f in third}
    assert not set(by_unit) & set(COLLEGES)
    assert "BWC" not in by_unit
    jwc = by_unit["JWC"].evidence
    assert jwc["missing_colleges"] == ["CW", "JZ", "MY", "XX"]
    assert "财经商贸学院、建筑工程学院、马克思主义学院、信息工程学院" in jwc["task_title"]
    assert (jwc["party"], jwc["tasks_led"]) == ("lead_departments", ["十"])
    # Every other lead department of the campaign's tasks, with no report at all: once each.
    assert sorted(by_unit) == ["DZB", "HQC", "JWC", "XCB", "XGC"]
    assert sweep(app, AFTER_THIRD) == {"phase_flags": 0}

    matrix = client.get(f"/campaigns/{campaign.id}/progress", headers=SO).get_json()
    lab = next(t for t in matrix["tasks"] if t["number"] == "十")
    [cell] = next(p for p in lab["phases"] if p["party"] == "lead_departments")["units"]
    assert (cell["unit_code"], cell["status_label"], cell["supervised"], cell["colleges"]) == (
        "JWC",
        "未提交",
        2,
        5,
    )
    fire = next(t for t in matrix["tasks"] if t["number"] == "七")
    [bwc] = next(p for p in fire["phases"] if p["party"] == "lead_departments")["units"]
    assert (bwc["status_label"], bwc["late"], bwc["overdue"]) == ("已提交", False, False)
