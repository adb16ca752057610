"""The console's hazardous chemicals register (危化品) against the real grid and hazard apps,
in process: a store added through the form, movements recorded (an issue beyond the balance
refused beside 数量, in Chinese), the list with its holdings and phone cards, the catalogue,
the period report's .xlsx, the menu entry."""

from __future__ import annotations

import io
from datetime import date

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

ITEM = {"name": "无水乙醇", "cas_no": "64-17-5", "hazard_class": "flammable", "measure": "mL"}


def test_chemicals_stores_movements_refusal_and_report(console, campus, hazards):  # noqa: F811
    office = bearer("security_office", sub="office")
    item = hazards.test_client().post("/chemicals", json=ITEM, headers=office).get_json()
    manager = signed_in(console, "J001")
    assert ">危化品台账</a>" in text(manager.get("/registers/chemicals"))
    store = {
        "name": "化工实训室危化品柜",
        "cell_id": campus["b1"],
        "capacity": "1000",
        "segregation_class": "flammable",
        "keeper_name": "李明",
    }
    made = post(manager, "/registers/chemicals/new", store)
    assert made.status_code == 302, text(made)
    token = bearer("unit_manager", unit="JD", sub="jd")
    [listed] = hazards.test_client().get("/chemical-stores", headers=token).get_json()
    url = f"/registers/chemicals/{listed['id']}/movements/new"
    today = date.today().isoformat()
    purchase = {
        "item_id": item["id"],
        "kind": "purchase",
        "quantity": "500",
        "occurred_on": today,
        "counterparty": "兰州化学试剂公司",
    }
    assert post(manager, url, purchase).status_code == 302
    issue = {**purchase, "kind": "issue", "quantity": "600", "purpose": "有机化学实验"}
    too_much = post(manager, url, issue)
    assert too_much.status_code == 422 and "结余 500" in text(too_much)
    assert not english(text(too_much)) and 'value="600"' in text(too_much)
    assert post(manager, url, {**issue, "quantity": "200"}).status_code == 302

    page = text(manager.get("/registers/chemicals"))
    [row] = rows(page, "stores")
    assert "化工实训室危化品柜" in row and "无水乙醇 300mL" in row and "1号教学楼" in row
    assert 'data-label="现存"' in row and 'class="cards-phone"' in page
    assert "64-17-5" in rows(page, "catalogue")[0]

    sheet = manager.get(f"/registers/chemicals/report.xlsx?from={today}&to={today}")
    assert sheet.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(sheet.data))
    assert book["按存放点"]["A2"].value == "单位" and book["按存放点"]["L3"].value == 300
