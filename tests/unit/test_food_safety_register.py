"""The food-safety register over HTTP (SQLite, no broker): outlets, certificates, daily
records (陪餐、留样、农残检测、冷链溯源), 4xx naming the field, the .xlsx, and the sweep that opens
one hazard per lapse (missing record after the cut-off, failed test, expired certificate)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from services.hazards.registers.food_safety import domain
from services.hazards.registers.food_safety.commands import run_food_sweep
from services.hazards.registers.food_safety.models import FoodOutlet
from shared.api import state
from shared.grid_projection import GridCell, GridUnit
from shared.timeutil import campus_today
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
XX = bearer("unit_manager", unit="XX", sub="manager-XX")
HQC = bearer("lead_department", unit="HQC", sub="hqc")  # 后勤处 leads food safety
TZ = "Asia/Shanghai"


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def problem_fields(response, status=422) -> list[str]:
    assert response.status_code == status, response.get_json()
    assert response.content_type == "application/problem+json"
    return [p["name"] for p in response.get_json()["invalid_params"]]


@pytest.fixture
def app(make_app):
    return seed(make_app("hazards"))


def seed(app):
    """JD's canteen place in the hazard app's grid projection (also on PostgreSQL:
    tests/integration/test_food_safety_postgres.py)."""
    with app.app_context(), state().session_factory() as session, session.begin():
        session.add_all(
            [
                GridUnit(code="JD", name="机电工程学院", kind="college", last_sequence=1),
                GridUnit(code="HQC", name="后勤处", kind="department", last_sequence=1),
            ]
        )
        for cell_id, code, name, level, parent, unit in (
            ("root", "LZXD", "兰州现代职业学院", 1, None, None),
            ("jd", "JD", "机电工程学院", 2, "root", "JD"),
            ("c1", "JD-C1", "第一食堂", 3, "jd", "JD"),
        ):
            session.add(
                GridCell(
                    cell_id=cell_id,
                    code=code,
                    name=name,
                    level=level,
                    parent_id=parent,
                    unit_code=unit,
                    area_type="canteen",
                    location=None,
                    last_sequence=1,
                )
            )
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def outlet(client, name="第一食堂", kind="canteen", who=JD, expect=201, **extra) -> dict:
    body = {"name": name, "kind": kind, "cell_id": "c1", "manager_name": "李明", **extra}
    return ok(client.post("/food-outlets", json=body, headers=who), expect)


def today() -> date:
    return campus_today(TZ)


def test_outlets_certificates_and_records_by_their_actors(client):
    canteen = outlet(client)
    assert (canteen["unit_code"], canteen["kind_label"], canteen["status_label"]) == (
        "JD",
        "食堂",
        "营业",
    )
    outlet(client, "超市", "supermarket", who=XX, expect=403)
    edited = client.patch(
        f"/food-outlets/{canteen['id']}", json={"operator": "某餐饮公司"}, headers=JD
    )
    assert ok(edited)["operator"] == "某餐饮公司"
    ok(client.patch(f"/food-outlets/{canteen['id']}", json={"operator": "x"}, headers=XX), 403)

    soon = (today() + timedelta(days=10)).isoformat()
    cert = ok(
        client.post(
            f"/food-outlets/{canteen['id']}/certificates",
            json={"kind": "health", "holder_name": "王厨师", "expires_on": soon},
            headers=JD,
        ),
        201,
    )
    assert (cert["kind_label"], cert["due_state"]) == ("健康证明", "due_soon")
    record = ok(
        client.post(
            f"/food-outlets/{canteen['id']}/records",
            json={
                "day": today().isoformat(),
                "kind": "pesticide",
                "person_name": "张检测",
                "item": "青菜",
                "result": "pass",
            },
            headers=JD,
        ),
        201,
    )
    assert (record["kind_label"], record["result_label"]) == ("农残检测", "合格")
    assert len(ok(client.get(f"/food-outlets/{canteen['id']}/records", headers=JD))) == 1
    assert len(ok(client.get(f"/food-outlets/{canteen['id']}/certificates", headers=JD))) == 1
    # The due list: the outlet whose certificate expires within a month.
    due = ok(client.get("/food-outlets?due=due_soon", headers=SO))
    assert [(o["id"], o["due_state_label"]) for o in due] == [(canteen["id"], "即将到期")]
    assert ok(client.get("/food-outlets?due=expired", headers=SO)) == []
    # Reading: the unit, global roles, the lead department of food; not another unit.
    ok(client.get(f"/food-outlets/{canteen['id']}", headers=XX), 403)
    assert ok(client.get("/food-outlets", headers=XX)) == []


def test_bad_input_is_a_4xx_naming_the_field_in_chinese(client):
    fields = problem_fields(
        client.post("/food-outlets", json={"name": "x", "kind": "bar", "cell_id": "c1"}, headers=JD)
    )
    assert set(fields) >= {"kind", "manager_name"}
    assert problem_fields(outlet_response(client, cell_id="nowhere")) == ["cell_id"]
    canteen = outlet(client)
    records = f"/food-outlets/{canteen['id']}/records"
    day = today().isoformat()
    response = client.post(
        records, json={"day": day, "kind": "pesticide", "person_name": "张"}, headers=JD
    )
    assert problem_fields(response) == ["result"]
    assert "检测结果" in response.get_json()["detail"]
    cold = {"day": day, "kind": "cold_chain", "person_name": "张", "origin": "巴西"}
    assert problem_fields(client.post(records, json=cold, headers=JD)) == ["batch_no"]
    future = (today() + timedelta(days=1)).isoformat()
    sample = {"day": future, "kind": "sample", "person_name": "张"}
    assert problem_fields(client.post(records, json=sample, headers=JD)) == ["day"]
    cert = {
        "kind": "licence",
        "holder_name": "第一食堂",
        "issued_on": "2022-01-01",
        "expires_on": "2021-01-01",
    }
    assert problem_fields(
        client.post(f"/food-outlets/{canteen['id']}/certificates", json=cert, headers=JD)
    ) == ["expires_on"]


def outlet_response(client, **extra):
    body = {"name": "食堂", "kind": "canteen", "cell_id": "c1", "manager_name": "李明", **extra}
    return client.post("/food-outlets", json=body, headers=JD)


def sweep(app, now: datetime) -> int:
    with app.app_context():
        return run_food_sweep(state().session_factory, state().settings, now=now)


def backdate(app, outlet_id: str, at: datetime) -> None:
    """The outlet was on file from ``at`` (the sweep's days are in the past)."""
    with app.app_context(), state().session_factory() as session, session.begin():
        session.get(FoodOutlet, outlet_id).created_at = at.astimezone(UTC)


def test_the_sweep_opens_one_hazard_per_lapse_once(client, app):
    canteen = outlet(client)
    shop = outlet(client, "奶茶店", "tea_shop")
    market = outlet(client, "校园超市", "supermarket")
    day = today() - timedelta(days=2)
    tz = ZoneInfo(TZ)
    for o in (canteen, shop, market):  # registered that morning: the day before owes nothing
        backdate(app, o["id"], datetime(day.year, day.month, day.day, 8, tzinfo=tz))
    base = f"/food-outlets/{canteen['id']}"
    for kind in ("accompany", "sample"):
        ok(
            client.post(
                f"{base}/records",
                json={"day": day.isoformat(), "kind": kind, "person_name": "院长"},
                headers=JD,
            ),
            201,
        )
    ok(
        client.post(
            f"{base}/records",
            json={
                "day": day.isoformat(),
                "kind": "pesticide",
                "person_name": "张",
                "result": "fail",
                "item": "豇豆",
            },
            headers=JD,
        ),
        201,
    )
    ok(
        client.post(
            f"/food-outlets/{market['id']}/certificates",
            json={
                "kind": "licence",
                "holder_name": "校园超市",
                "expires_on": (day - timedelta(days=1)).isoformat(),
            },
            headers=JD,
        ),
        201,
    )
    # The day's cut-off (20:00) has not come: only the failed test and the expired licence.
    before = datetime(day.year, day.month, day.day, 19, 59, tzinfo=tz)
    assert sweep(app, before) == 2
    # After it: the tea shop kept no 留样 (the canteen kept both of its records).
    after = before + timedelta(minutes=1)
    assert sweep(app, after) == 1
    assert sweep(app, after) == 0  # a second run opens nothing
    hazards = ok(client.get("/hazards?category=food", headers=SO))
    refs = sorted(h["source_ref"] for h in hazards)
    assert len(refs) == 3 and {h["source"] for h in hazards} == {domain.SOURCE}
    assert f"daily:{shop['id']}:{day.isoformat()}" in refs
    missing = next(h for h in hazards if h["source_ref"].startswith("daily:"))
    assert "奶茶店" in missing["description"] and "留样" in missing["description"]
    # A closed outlet owes nothing.
    ok(client.patch(f"/food-outlets/{shop['id']}", json={"status": "closed"}, headers=JD))
    assert sweep(app, after + timedelta(days=1)) == 1  # the canteen's next day only


def test_the_register_exports_as_xlsx_with_chinese_headers(client):
    canteen = outlet(client)
    ok(
        client.post(
            f"/food-outlets/{canteen['id']}/records",
            json={
                "day": today().isoformat(),
                "kind": "cold_chain",
                "person_name": "张",
                "batch_no": "B-001",
                "origin": "巴西",
                "certificate_no": "HS-9",
            },
            headers=JD,
        ),
        201,
    )
    response = client.get("/food-outlets/export.xlsx", headers=SO)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["食品经营场所", "证照", "每日记录"]
    outlets = list(book["食品经营场所"].iter_rows(values_only=True))
    assert outlets[1][:2] == ("名称", "类型") and outlets[2][:2] == ("第一食堂", "食堂")
    records = list(book["每日记录"].iter_rows(values_only=True))
    assert records[0][:3] == ("场所", "日期", "类型")
    assert records[1][2] == "冷链溯源" and records[1][7] == "巴西"
    assert client.get("/food-outlets/export.xlsx", headers=XX).status_code == 200
