"""The console's food-safety register (食品安全) against the real grid and hazard apps, in
process: an outlet registered through the form, its certificate and daily records added on
its page (a refusal beside the field in Chinese), the due list with expired certificates
tagged and phone cards, the .xlsx, the menu entry."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl

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


def test_food_outlet_form_certificates_records_due_list_and_export(console, campus, hazards):  # noqa: F811
    manager = signed_in(console, "J001")
    assert ">食品安全</a>" in text(manager.get("/registers/food-safety"))
    body = {"name": "第一食堂", "kind": "canteen", "cell_id": campus["b1"], "manager_name": "李明"}
    made = post(manager, "/registers/food-safety/new", body)
    assert made.status_code == 302, text(made)
    item = made.headers["Location"]
    missing = post(manager, "/registers/food-safety/new", {**body, "kind": ""})
    assert missing.status_code == 422 and not english(text(missing))

    today = date.today()
    expired = {"kind": "health", "holder_name": "王厨师", "expires_on": str(today - timedelta(2))}
    added = post(manager, f"{item}/certificates", expired, page=item)
    assert added.status_code == 302, text(added)
    record = {"day": today.isoformat(), "kind": "pesticide", "person_name": "张检测"}
    refused = post(manager, f"{item}/records", record, page=item)
    assert refused.status_code == 422
    assert "检测结果" in text(refused) and not english(text(refused))
    ok = post(manager, f"{item}/records", {**record, "result": "pass", "item": "青菜"}, page=item)
    assert ok.status_code == 302
    page = text(manager.get(item))
    assert "王厨师" in rows(page, "certificates")[0] and "已过期" in rows(page, "certificates")[0]
    assert "青菜" in rows(page, "records")[0] and "合格" in rows(page, "records")[0]

    listed = text(manager.get("/registers/food-safety?due=expired"))
    first = rows(listed, "outlets")[0]
    assert "第一食堂" in first and "证照已过期" in first and "1号教学楼" in first
    assert 'data-label="最早到期证照"' in first and 'class="cards-phone"' in listed

    sheet = manager.get("/registers/food-safety/export.xlsx")
    assert sheet.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(sheet.data))
    assert book["食品经营场所"]["A2"].value == "名称"
    assert book["证照"]["A1"].value == "场所" and book["证照"]["C2"].value == "王厨师"
