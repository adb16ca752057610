"""The console's buildings register (建筑建档) against the real grid and hazard apps, in
process: a building put on file through the form, a refused form keeping what was typed
with the reason in Chinese beside the field, the due list with lapsed and unsafe ones
tagged and phone cards, the building page (edit, site, drawing, its place's risk points
and equipment), the .xlsx, the menu entry."""

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

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_buildings_form_due_list_page_and_export(console, campus):  # noqa: F811
    manager = signed_in(console, "J001")
    listing = text(manager.get("/registers/buildings"))
    assert ">建筑建档</a>" in listing and "没有符合条件的建筑" in listing
    today = date.today()
    body = {
        "cell_id": campus["b1"],
        "name": "1号教学楼",
        "built_year": "1998",
        "structure": "brick_concrete",
        "floors": "5",
        "area": "4200.5",
        "use": "teaching",
        "appraised_on": (today - timedelta(days=1000)).isoformat(),
        "appraisal_grade": "B",
        "appraisal_due": (today - timedelta(days=1)).isoformat(),
        "risk_flags": ["lightning", "low_lying"],
    }
    made = post(manager, "/registers/buildings/new", body)
    assert made.status_code == 302, text(made)
    # the same place again: refused beside the place, in Chinese, what was typed kept
    again = post(manager, "/registers/buildings/new", {**body, "name": "一号楼"})
    assert again.status_code == 409 and not english(text(again))
    assert "已建档" in text(again) and 'value="一号楼"' in text(again)
    bad = post(
        manager,
        "/registers/buildings/new",
        {**body, "cell_id": campus["f3"], "appraisal_due": body["appraised_on"]},
    )
    assert bad.status_code == 422 and "须晚于鉴定日期" in text(bad)

    page = text(manager.get("/registers/buildings"))
    listed = rows(page, "buildings")
    assert "1号教学楼" in listed[0] and "鉴定已过期" in listed[0] and "tag-overdue" in listed[0]
    assert 'data-label="自然灾害风险"' in listed[0] and "雷击、低洼" in listed[0]
    assert 'class="cards-phone"' in page
    lapsed = text(manager.get("/registers/buildings?due=unsafe"))
    assert "没有符合条件的建筑" in lapsed

    building_url = made.headers["Location"]
    shown = text(manager.get(building_url))
    assert "鉴定已过期" in shown and "尚未上传疏散图" in shown
    edited = post(
        manager,
        building_url,
        {
            "etag": '"1"',
            **{k: v for k, v in body.items() if k != "cell_id"},
            "appraisal_grade": "C",
            "appraisal_due": (today + timedelta(days=700)).isoformat(),
        },
    )
    assert edited.status_code == 302, text(edited)
    site = {
        "project": "外墙维修",
        "starts_on": today.isoformat(),
        "ends_on": (today - timedelta(days=3)).isoformat(),
    }
    refused = post(manager, f"{building_url}/sites", site, page=building_url)
    assert refused.status_code == 422 and "须不早于开工日期" in text(refused)
    site["ends_on"] = (today + timedelta(days=30)).isoformat()
    added = post(manager, f"{building_url}/sites", {**site, "isolated": "1"}, page=building_url)
    assert added.status_code == 302
    drawing = post(
        manager,
        f"{building_url}/drawing",
        {"file": (io.BytesIO(PNG), "疏散图.png")},
        page=building_url,
        content_type="multipart/form-data",
    )
    assert drawing.status_code == 302
    shown = text(manager.get(building_url))
    assert "危房（C/D级）" in shown and "疏散图.png" in shown
    assert "外墙维修" in rows(shown, "sites")[0] and "已隔离" in rows(shown, "sites")[0]
    assert manager.get(f"{building_url}/drawing").data == PNG

    sheet = manager.get("/registers/buildings/export.xlsx")
    assert sheet.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(sheet.data))
    assert book["建筑档案"]["A2"].value == "建筑名称"
    assert book["建筑档案"]["I3"].value == "C级（局部危房）"


def test_the_building_page_names_the_room_of_what_is_below_it(console, campus, hazards):  # noqa: F811
    manager = signed_in(console, "J001")
    body = {
        "cell_id": campus["b1"],
        "name": "1号教学楼",
        "structure": "frame",
        "floors": "5",
        "use": "teaching",
    }
    made = post(manager, "/registers/buildings/new", body)
    assert made.status_code == 302, text(made)
    store = {
        "name": "三层危化品柜",
        "cell_id": campus["f3"],
        "capacity": 50,
        "segregation_class": "flammable",
        "keeper_name": "王五",
    }
    jd = bearer("unit_manager", unit="JD", sub="manager-JD")
    added = hazards.test_client().post("/chemical-stores", json=store, headers=jd)
    assert added.status_code == 201, added.get_json()
    shown = text(manager.get(made.headers["Location"]))
    assert "三层危化品柜（保管人 王五）（三层东侧）" in shown
