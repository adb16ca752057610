"""The console's vehicles register (通勤车、公务车) against the real grid and hazard apps, in
process: a vehicle and a driver registered through the forms, the due list with lapsed ones
tagged and phone cards, a lapsed vehicle's trip refused beside the field in Chinese, the
.xlsx, the menu entry."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl

from tests.support.fixtures import bearer
from tests.unit.test_console_registers import (  # noqa: F401  (fixtures)
    campus,
    console,
    english,
    grid,
    hazards,
    post,
    rows,
    signed_in,
    text,
)


def test_vehicles_due_list_forms_trip_refusal_and_export(console, campus, hazards):  # noqa: F811
    manager = signed_in(console, "J001")
    assert ">通勤车、公务车</a>" in text(manager.get("/registers/vehicles"))
    today = date.today()
    for plate, inspection in (("甘A11111", today + timedelta(days=300)), ("甘A22222", today)):
        made = post(
            manager,
            "/registers/vehicles/new",
            {
                "plate_no": plate,
                "kind": "commuter",
                "seats": "35",
                "cell_id": campus["b1"],
                "inspection_due": inspection.isoformat(),
                "insurance_due": (today + timedelta(days=200)).isoformat(),
            },
        )
        assert made.status_code == 302, text(made)
    driver = {
        "name": "张师傅",
        "staff_no": "D001",
        "cell_id": campus["b1"],
        "licence_class": "A1",
        "licence_expiry": (today + timedelta(days=900)).isoformat(),
        "last_education_on": (today - timedelta(days=30)).isoformat(),
    }
    assert post(manager, "/registers/vehicles/drivers/new", driver).status_code == 302
    page = text(manager.get("/registers/vehicles"))
    listed = rows(page, "vehicles")
    assert "甘A22222" in listed[0] and "即将到期" in listed[0] and "1号教学楼" in listed[0]
    assert 'data-label="年检有效期至"' in listed[0] and 'class="cards-phone"' in page
    assert "张师傅" in rows(page, "drivers")[0]
    assert "来源：手工录入" in rows(page, "drivers")[0]  # typed, not from an activity

    refused_body = {"plate_no": "甘A11111", "kind": "official", "cell_id": campus["b1"]}
    taken = post(manager, "/registers/vehicles/new", refused_body)
    assert taken.status_code == 422 and not english(text(taken))
    assert 'value="甘A11111"' in text(taken)

    vehicles = {v["plate_no"]: v["id"] for v in _json(hazards, "/vehicles")}
    drivers = _json(hazards, "/drivers")
    trip = {
        "vehicle_id": vehicles["甘A22222"],
        "driver_id": drivers[0]["id"],
        "trip_on": (today + timedelta(days=1)).isoformat(),
        "purpose": "接送实训学生",
    }
    refused = post(manager, "/registers/vehicles/trips/new", trip)
    assert refused.status_code == 409
    assert "年检已过期" in text(refused) and not english(text(refused))
    ok = {**trip, "trip_on": today.isoformat()}
    assert post(manager, "/registers/vehicles/trips/new", ok).status_code == 302

    # 年检 renewed through the vehicle's page (If-Match: the version read): the trip goes
    item = f"/registers/vehicles/{vehicles['甘A22222']}"
    assert "甘A22222" in text(manager.get(item))
    renewed = {
        "plate_no": "甘A22222",
        "kind": "commuter",
        "cell_id": campus["b1"],
        "inspection_due": (today + timedelta(days=365)).isoformat(),
        "insurance_due": (today + timedelta(days=200)).isoformat(),
    }
    assert post(manager, item, renewed, page=item).status_code == 302
    assert post(manager, "/registers/vehicles/trips/new", trip).status_code == 302
    bad = post(manager, item, {**renewed, "inspection_due": "明年"}, page=item)
    assert bad.status_code == 422 and not english(text(bad))

    sheet = manager.get("/registers/vehicles/export.xlsx")
    assert sheet.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(sheet.data))
    assert book["车辆"]["A2"].value == "号牌号码"


def _json(hazards, path: str) -> list[dict]:  # noqa: F811
    """The hazard service's answer as JD's manager sees it (ids for the trip form)."""
    token = bearer("unit_manager", unit="JD", sub="jd")
    return hazards.test_client().get(path, headers=token).get_json()
