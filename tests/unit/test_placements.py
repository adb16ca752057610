"""The placement register (实训实习、校外社会实践) over HTTP (SQLite, no broker): CRUD in
scope, the start refused while agreement, insurance or briefing is missing (409 naming
each), the due sweep opening one hazard per lapse, and the .xlsx export."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest

from services.hazards.handlers import make_handlers
from services.hazards.registers.placements import domain
from services.hazards.registers.placements.commands import run_placement_sweep
from shared.api import state
from shared.events import Envelope
from shared.grid_projection import GridCell, GridUnit
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
XX = bearer("unit_manager", unit="XX", sub="manager-XX")
PDF = b"%PDF-1.4\n%%EOF\n"

BODY = {
    "kind": "internship",
    "title": "2021级机电专业跟岗实习",
    "cell_id": "jd",
    "host_name": "兰州机床厂",
    "leader_name": "李老师",
    "starts_on": "2021-11-15",
    "ends_on": "2021-12-15",
    "student_count": 2,
    "students": ["2021001 张三", "2021002 李四"],
}
READY = {
    "insurance_policy_no": "PICC-2021-001",
    "insurer": "中国人保",
    "insurance_from": "2021-11-15",
    "insurance_to": "2021-12-15",
    "briefing_activity_id": "act-1",
    "briefing_held_on": "2021-11-10",
}


def seed(app):
    """Two colleges, each with its place, in the hazard service's copy of the grid."""
    with app.app_context(), state().session_factory() as session, session.begin():
        for code, name in (("JD", "机电工程学院"), ("XX", "信息工程学院")):
            session.add(GridUnit(code=code, name=name, kind="college", last_sequence=1))
            session.add(
                GridCell(
                    cell_id=code.lower(),
                    code=code,
                    name=name,
                    level=2,
                    parent_id=None,
                    unit_code=code,
                    area_type="teaching",
                    location=None,
                    last_sequence=1,
                )
            )
    return app


@pytest.fixture
def app(make_app):
    return seed(make_app("hazards"))


@pytest.fixture
def client(app):
    return app.test_client()


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def placement(client, who=JD, **extra) -> dict:
    return ok(client.post("/placements", json={**BODY, **extra}, headers=who), 201)


def upload(client, placement_id: str, who=JD):
    data = {"file": (io.BytesIO(PDF), "安全协议.pdf")}
    return client.post(
        f"/placements/{placement_id}/agreement",
        data=data,
        headers=who,
        content_type="multipart/form-data",
    )


def sweep(app, at: str) -> int:
    with app.app_context():
        return run_placement_sweep(
            state().session_factory, state().settings, now=datetime.fromisoformat(at)
        )


def test_crud_in_the_units_scope(client):
    created = placement(client)
    assert created["unit_code"] == "JD" and created["status"] == "planned"
    assert created["missing"] == ["agreement", "insurance", "briefing"]
    assert created["kind_label"] == "实习" and created["status_label"] == "待出发"
    pid = created["id"]
    assert ok(client.get(f"/placements/{pid}", headers=SO))["host_name"] == "兰州机床厂"
    assert client.get(f"/placements/{pid}", headers=XX).status_code == 403
    assert client.patch(f"/placements/{pid}", json={"note": "x"}, headers=XX).status_code == 403
    assert client.post("/placements", json=BODY, headers=XX).status_code == 403
    edited = ok(client.patch(f"/placements/{pid}", json=READY, headers=JD))
    assert edited["missing"] == ["agreement"] and edited["version"] == 2
    assert [p["id"] for p in ok(client.get("/placements", headers=JD))] == [pid]
    assert ok(client.get("/placements", headers=XX)) == []
    assert client.get("/placements").status_code == 401


def test_bad_input_is_422_naming_the_field(client):
    for extra, field in (
        ({"ends_on": "2021-11-01"}, "ends_on"),
        ({"student_count": 3}, "student_count"),
        ({"insurance_from": "2021-12-01", "insurance_to": "2021-11-01"}, "insurance_to"),
        ({"kind": "holiday"}, "kind"),
        ({"cell_id": "nowhere"}, "cell_id"),
    ):
        response = client.post("/placements", json={**BODY, **extra}, headers=JD)
        assert response.status_code == 422, extra
        assert response.content_type == "application/problem+json"
        problem = response.get_json()
        assert field in [p["name"] for p in problem["invalid_params"]]
    response = client.post("/placements", json={k: v for k, v in BODY.items() if k != "host_name"})
    assert response.status_code == 401


def test_a_start_without_agreement_insurance_or_briefing_is_refused_naming_them(client):
    pid = placement(client)["id"]
    response = client.post(f"/placements/{pid}/start", json={}, headers=JD)
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert [p["name"] for p in problem["invalid_params"]] == ["agreement", "insurance", "briefing"]
    assert "安全协议" in problem["detail"] and "保险" in problem["detail"]
    assert "行前安全教育" in problem["detail"]
    # Insurance that does not cover the whole placement is still missing.
    ok(client.patch(f"/placements/{pid}", json={**READY, "insurance_to": "2021-12-01"}, headers=JD))
    assert ok(upload(client, pid), 201)["filename"] == "安全协议.pdf"
    response = client.post(f"/placements/{pid}/start", json={}, headers=JD)
    assert [p["name"] for p in response.get_json()["invalid_params"]] == ["insurance"]
    ok(client.patch(f"/placements/{pid}", json={"insurance_to": "2021-12-15"}, headers=JD))
    assert client.get(f"/placements/{pid}/agreement", headers=JD).data == PDF
    started = ok(client.post(f"/placements/{pid}/start", json={"on": "2021-11-15"}, headers=JD))
    assert (started["status"], started["started_on"]) == ("under_way", "2021-11-15")
    assert client.post(f"/placements/{pid}/start", json={}, headers=JD).status_code == 409
    cancel = client.patch(f"/placements/{pid}", json={"cancelled": True}, headers=JD)
    assert cancel.status_code == 409
    finished = ok(client.post(f"/placements/{pid}/finish", json={}, headers=JD))
    assert finished["status"] == "finished"


def test_the_due_list_shows_what_is_missing_before_the_start(client):
    soon = placement(client, title="下周实习", starts_on="2021-11-20")["id"]
    placement(client, title="远期实习", starts_on="2099-06-01", ends_on="2099-07-01")
    ready = placement(client, title="条件齐全", **READY)["id"]
    ok(upload(client, ready), 201)
    # the API's today is the real one; the rule itself is checked at a chosen day
    assert domain.due_state("planned", date(2021, 11, 20), ["insurance"], date(2021, 11, 10)) == (
        domain.DueState.DUE_SOON
    )
    assert domain.due_state("planned", date(2021, 11, 20), [], date(2021, 11, 21)) == (
        domain.DueState.READY
    )
    blocked = ok(client.get("/placements?due=blocked&sort=due", headers=JD))
    assert [p["title"] for p in blocked] == ["下周实习"]  # its start is past today
    assert blocked[0]["id"] == soon and blocked[0]["due_state"] == "blocked"
    assert blocked[0]["due_state_label"] == "已到开始日期但条件不全"


def test_the_sweep_opens_one_hazard_per_lapse_and_none_on_a_second_run(client, app):
    late = placement(client)["id"]
    placement(client, title="下月实习", starts_on="2021-12-01", ends_on="2021-12-20")
    insured = placement(client, title="保险到期", **{**READY, "insurance_to": "2021-11-20"})
    ok(upload(client, insured["id"]), 201)
    ok(client.post(f"/placements/{insured['id']}/start", json={}, headers=JD), 409)
    # 14 Nov 23:00 campus time: nothing has started yet.
    assert sweep(app, "2021-11-14T15:00:00+00:00") == 0
    # 15 Nov: both start dates came with something missing (insurance short of the end).
    assert sweep(app, "2021-11-15T02:00:00+00:00") == 2
    assert sweep(app, "2021-11-15T02:00:00+00:00") == 0
    assert sweep(app, "2021-11-16T02:00:00+00:00") == 0  # still one hazard per lapse
    hazards = ok(client.get("/hazards?category=education", headers=SO))
    refs = sorted(h["source_ref"] for h in hazards)
    assert refs == sorted([f"{late}:start:2021-11-15", f"{insured['id']}:start:2021-11-15"])
    assert {(h["source"], h["unit_code"], h["subcategory"]) for h in hazards} == {
        ("placement", "JD", "practice_safety")
    }
    assert "缺少接收单位安全协议" in next(
        h["description"] for h in hazards if h["source_ref"].startswith(late)
    )


def test_insurance_running_out_under_way_opens_a_hazard_once(client, app):
    body = {**READY, "insurance_to": "2021-12-15"}
    pid = placement(client, **body)["id"]
    ok(upload(client, pid), 201)
    ok(client.post(f"/placements/{pid}/start", json={"on": "2021-11-15"}, headers=JD))
    assert sweep(app, "2021-12-10T02:00:00+00:00") == 0
    assert domain.needs_insurance_hazard("under_way", date(2021, 12, 15), date(2021, 12, 16))
    assert sweep(app, "2021-12-16T02:00:00+00:00") == 1
    assert sweep(app, "2021-12-17T02:00:00+00:00") == 0
    hazards = ok(client.get("/hazards?category=education", headers=SO))
    assert [h["source_ref"] for h in hazards] == [f"{pid}:insurance:2021-12-15"]


def test_the_export_opens_with_openpyxl_with_chinese_headers(client):
    pid = placement(client, **READY)["id"]
    ok(upload(client, pid), 201)
    placement(client, title="社会实践", kind="social_practice", students=[], student_count=30)
    response = client.get("/placements/export.xlsx", headers=JD)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.active
    assert sheet.title == "实训实习台账"
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["类型", "名称", "组织单位", "接收单位"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["2021级机电专业跟岗实习"][12] == "已上传"
    assert rows["社会实践"][0] == "校外社会实践" and rows["社会实践"][7] == 30
    assert "保险" in rows["社会实践"][13]
    assert client.get("/placements/export.xlsx", headers=XX).status_code == 200
    mine_only = client.get("/placements/export.xlsx", headers=XX).data
    other = openpyxl.load_workbook(io.BytesIO(mine_only))
    assert other.active.max_row == 2  # title and header only: JD's rows are not XX's


def test_educations_activity_held_confirms_the_briefing_once(client, app):
    pid = placement(client, briefing_activity_id="act-7")["id"]
    other = placement(client, title="别的实习", briefing_activity_id="act-8")["id"]
    held = {
        "activity_id": "act-7",
        "kind": "lecture",
        "title": "实习行前安全教育",
        "organiser_unit": "JD",
        "target_units": ["JD"],
        "venue": "JD 小礼堂",
        "starts_at": "2021-11-09T17:00:00+00:00",  # 10 Nov on the campus
        "ends_at": "2021-11-09T18:00:00+00:00",
        "status": "held",
        "participants": 2,
    }
    handle = make_handlers(app_settings(app))["activity.held"]
    for _ in range(2):  # delivered twice: the same date, one version bump
        with app.app_context(), state().session_factory() as session, session.begin():
            handle(session, Envelope("activity.held", 1, "education", "act-7", 2, held))
    confirmed = ok(client.get(f"/placements/{pid}", headers=JD))
    assert (confirmed["briefing_held_on"], confirmed["version"]) == ("2021-11-10", 2)
    assert "briefing" not in confirmed["missing"]
    assert ok(client.get(f"/placements/{other}", headers=JD))["briefing_held_on"] is None


def app_settings(app):
    with app.app_context():
        return state().settings
