"""The vehicles and drivers register (通勤车、公务车, issue 17) over HTTP (SQLite, no broker):
CRUD in scope, trips refused for a lapsed vehicle or driver (409 naming the field), the lapse
sweep (one hazard per lapse, none on a second run), the .xlsx, and migration 0020."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import create_engine, text

from services.hazards.registers.vehicles import domain
from services.hazards.registers.vehicles.sweep import run_vehicles_sweep
from shared.api import state
from shared.grid_projection import GridCell, GridUnit
from shared.migrations import upgrade
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
XX = bearer("unit_manager", unit="XX", sub="manager-XX")
STAFF = bearer("grid_staff", unit="JD", sub="staff-JD")


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def seed(app):
    """Two colleges, each with a garage in the hazard service's grid projection."""
    with app.app_context(), state().session_factory() as session, session.begin():
        for code, name in (("JD", "机电工程学院"), ("XX", "信息工程学院")):
            session.add(GridUnit(code=code, name=name, kind="college", last_sequence=1))
        for cell_id, code, unit in (("garage", "JD-G1", "JD"), ("xx", "XX-D2", "XX")):
            session.add(
                GridCell(
                    cell_id=cell_id,
                    code=code,
                    name=f"{code} 车库",
                    level=3,
                    parent_id=None,
                    unit_code=unit,
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


def vehicle(client, plate="甘A12345", inspection="2022-06-30", insurance="2022-03-31", **extra):
    body = {
        "plate_no": plate,
        "kind": "commuter",
        "model": "宇通 ZK6809",
        "seats": 35,
        "cell_id": "garage",
        "inspection_due": inspection,
        "insurance_due": insurance,
        **extra,
    }
    return ok(client.post("/vehicles", json=body, headers=JD), 201)


def driver(client, staff_no="D001", expiry="2025-01-01", education="2021-09-01", **extra):
    body = {
        "name": "张师傅",
        "staff_no": staff_no,
        "cell_id": "garage",
        "licence_class": "A1",
        "licence_expiry": expiry,
        "last_education_on": education,
        **extra,
    }
    return ok(client.post("/drivers", json=body, headers=JD), 201)


def trip(client, v, d, day):
    body = {"vehicle_id": v["id"], "driver_id": d["id"], "trip_on": day, "purpose": "接送实训"}
    return client.post("/trips", json=body, headers=JD)


def test_vehicles_and_drivers_crud_in_scope(client):
    v = vehicle(client)
    assert (v["unit_code"], v["kind_label"], v["status_label"]) == ("JD", "通勤车", "在用")
    d = driver(client)
    assert d["education_valid_until"] == "2022-09-01"
    # another unit's manager neither reads nor writes JD's register
    assert client.get(f"/vehicles/{v['id']}", headers=XX).status_code == 403
    assert client.patch(f"/drivers/{d['id']}", json={"phone": "1"}, headers=XX).status_code == 403
    assert client.post("/vehicles", json={}, headers=STAFF).status_code == 422
    assert ok(client.get("/vehicles", headers=XX)) == []
    assert [x["plate_no"] for x in ok(client.get("/vehicles", headers=SO))] == ["甘A12345"]
    renewed = ok(
        client.patch(f"/vehicles/{v['id']}", json={"insurance_due": "2023-03-31"}, headers=JD)
    )
    assert (renewed["insurance_due"], renewed["version"]) == ("2023-03-31", 2)
    educated = ok(
        client.patch(f"/drivers/{d['id']}", json={"last_education_on": "2022-08-01"}, headers=JD)
    )
    assert educated["education_valid_until"] == "2023-08-01"
    assert ok(client.get(f"/drivers/{d['id']}", headers=SO))["name"] == "张师傅"


def test_bad_input_is_a_4xx_naming_the_field_in_chinese(client):
    vehicle(client)
    twice = client.post(
        "/vehicles",
        json={
            "plate_no": "甘A12345",
            "kind": "official",
            "cell_id": "garage",
            "inspection_due": "2022-06-30",
            "insurance_due": "2022-06-30",
        },
        headers=JD,
    )
    assert twice.status_code == 409
    assert twice.content_type == "application/problem+json"
    assert [p["name"] for p in twice.get_json()["invalid_params"]] == ["plate_no"]
    assert "已登记" in twice.get_json()["detail"]
    bad = client.post("/drivers", json={"name": "李", "licence_class": "Z9"}, headers=JD)
    assert bad.status_code == 422
    names = {p["name"] for p in bad.get_json()["invalid_params"]}
    assert {"licence_class", "staff_no", "cell_id", "licence_expiry"} <= names
    nowhere = client.post(
        "/drivers",
        json={
            "name": "李",
            "staff_no": "D9",
            "cell_id": "nowhere",
            "licence_class": "C1",
            "licence_expiry": "2030-01-01",
        },
        headers=JD,
    )
    assert nowhere.status_code == 422
    assert nowhere.get_json()["invalid_params"][0]["name"] == "cell_id"
    assert "网格" in nowhere.get_json()["detail"]


def test_a_trip_by_a_lapsed_vehicle_or_driver_is_refused_naming_what_lapsed(client):
    v = vehicle(client, inspection="2022-06-30", insurance="2022-03-31")
    d = driver(client, expiry="2022-05-01", education="2021-09-01")
    ok(trip(client, v, d, "2022-03-31"), 201)  # valid through the day itself
    refused = trip(client, v, d, "2022-04-01")
    assert refused.status_code == 409
    body = refused.get_json()
    assert [(p["name"], p["reason"]) for p in body["invalid_params"]] == [
        ("vehicle_id", "车辆保险已过期")
    ]
    assert "甘A12345" in body["detail"] and "保险" in body["detail"]
    both = trip(client, v, d, "2022-09-02").get_json()
    assert [(p["name"], p["reason"]) for p in both["invalid_params"]] == [
        ("vehicle_id", "车辆年检已过期"),
        ("vehicle_id", "车辆保险已过期"),
        ("driver_id", "驾驶证已过期"),
        ("driver_id", "驾驶人安全教育已超过一年未参加"),
    ]
    unknown = client.post(
        "/trips",
        json={"vehicle_id": "x", "driver_id": d["id"], "trip_on": "2022-01-01", "purpose": "公务"},
        headers=JD,
    )
    assert unknown.status_code == 422
    assert unknown.get_json()["invalid_params"][0]["name"] == "vehicle_id"
    assert [t["trip_on"] for t in ok(client.get("/trips", headers=JD))] == ["2022-03-31"]
    assert ok(client.get("/trips", headers=XX)) == []


def sweep(app, at: str) -> int:
    with app.app_context():
        return run_vehicles_sweep(
            state().session_factory, state().settings, now=datetime.fromisoformat(at)
        )


def test_the_sweep_opens_one_hazard_per_lapse_and_none_on_a_second_run(client, app):
    v = vehicle(client, inspection="2022-06-30", insurance="2022-03-31")
    driver(client, expiry="2030-01-01", education=None)  # never educated: lapsed
    vehicle(client, plate="甘A99999", inspection="2021-01-01", status="retired")  # not in use
    assert sweep(app, "2022-03-31T02:00:00+00:00") == 1  # the driver's education
    assert sweep(app, "2022-03-31T02:00:00+00:00") == 0
    assert sweep(app, "2022-04-01T02:00:00+00:00") == 1  # the insurance
    assert sweep(app, "2022-04-02T02:00:00+00:00") == 0
    hazards = ok(client.get("/hazards?category=traffic", headers=SO))
    assert sorted(h["subcategory"] for h in hazards) == ["commuter_vehicles", "driver_education"]
    assert {(h["source"], h["unit_code"], h["cell_id"]) for h in hazards} == {
        ("vehicles", "JD", "garage")
    }
    # renewed, then lapsed again: a new lapse, a new hazard
    client.patch(f"/vehicles/{v['id']}", json={"insurance_due": "2022-05-01"}, headers=JD)
    assert sweep(app, "2022-05-02T02:00:00+00:00") == 1
    lapsed = ok(client.get("/vehicles?due=lapsed&sort=due", headers=JD))
    assert [x["plate_no"] for x in lapsed] == ["甘A99999", "甘A12345"]
    assert ok(client.get("/drivers?due=lapsed", headers=JD))[0]["lapses"] == ["last_education_on"]


def test_the_register_exports_as_xlsx_with_chinese_headers(client):
    vehicle(client)
    driver(client)
    response = client.get("/vehicles/export.xlsx", headers=JD)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["车辆", "驾驶人"]
    cars, people = book["车辆"], book["驾驶人"]
    assert [c.value for c in cars[2]][:3] == ["号牌号码", "车辆类型", "品牌型号"]
    assert [c.value for c in cars[3]][:2] == ["甘A12345", "通勤车"]
    assert [c.value for c in people[2]][:2] == ["姓名", "工号"]
    assert people["A3"].value == "张师傅"


def test_lapse_rules():
    day = date(2022, 4, 1)
    assert domain.vehicle_lapses(date(2022, 4, 1), date(2022, 3, 31), day) == [
        domain.Lapse.INSURANCE
    ]
    assert domain.driver_lapses(date(2030, 1, 1), date(2021, 4, 1), day) == []
    assert domain.driver_lapses(date(2030, 1, 1), date(2021, 3, 31), day) == [
        domain.Lapse.EDUCATION
    ]
    assert domain.due_state([date(2022, 4, 20)], day) == domain.DueState.DUE_SOON
    uuid = "283d69fe-9581-4065-99c7-4aca9fc830bd"
    for lapse in domain.Lapse:  # within hazards.source_ref's 64 characters (PostgreSQL)
        assert len(domain.lapse_ref("vehicle", uuid, lapse, date(2022, 12, 31))) <= 64
        assert len(domain.lapse_ref("driver", uuid, lapse, None)) <= 64


def test_migration_0020_keeps_the_hazards(tmp_path):
    url = f"sqlite:///{tmp_path / 'hazards.db'}"
    upgrade("hazards", url, "0016")
    with create_engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO hazards (id, number, unit_code, cell_id, category, severity, status,"
                " description, found_by, found_at, quick_fix, reopen_count, source,"
                " major_unresolved_notified, version, created_at, updated_at) VALUES ('h1',"
                " 'YH-2026-00001', 'JD', 'cell-1', 'traffic', 'general', 'in_remediation',"
                " '通勤车未年检', 'u-1', '2026-11-08 09:00:00', 0, 0, 'report', 0, 1,"
                " '2026-11-08 09:00:00', '2026-11-08 09:00:00')"
            )
        )
    upgrade("hazards", url, "0020")
    with create_engine(url).begin() as conn:
        kept = conn.execute(text("SELECT number, description FROM hazards")).all()
        assert [tuple(r) for r in kept] == [("YH-2026-00001", "通勤车未年检")]
        for table in ("vehicles", "vehicle_drivers", "vehicle_trips"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0
