"""The console's pages of the security office's registers against the real grid and hazard
apps, in process: 线索台账 (the office's alone: a new clue, a refused form keeping what was
typed, its steps, the access log; a unit manager sees no entry and gets a Chinese 403),
协同联动 (a record through the form, a finding naming its hazard) and 巡查 on a phone (a route,
a patrol started, a place checked in by its button and one by its QR code's URL, a finding
opening a hazard, the finish listing the missed place)."""

from __future__ import annotations

import re

from tests.unit.test_console_grid_admin import post, sign_in, text
from tests.unit.test_console_registers import (  # noqa: F401  (fixtures)
    campus,
    console,
    english,
    grid,
    hazards,
)


def signed_in(console, number: str):  # noqa: F811
    client = console.test_client()
    assert sign_in(client, number).status_code == 302
    return client


def test_the_office_keeps_a_clue_and_a_unit_manager_is_refused(console, campus):  # noqa: F811
    office = signed_in(console, "S001")
    menu = text(office.get("/"))
    assert "线索台账" in menu and "协同联动" in menu and "巡查" in menu
    refused = post(office, "/office/clues/new", {"kind": "fraud", "received_on": "2021-11-01"})
    page = text(refused)
    assert refused.status_code == 422 and "fraud" in page and not english(page)
    assert 'id="c-content" name="content"' in page and 'aria-invalid="true"' in page
    made = post(
        office,
        "/office/clues/new",
        {"kind": "fraud", "content": "有人冒充教务处收取补考费", "received_on": "2021-11-01"},
    )
    assert made.status_code == 302
    page = text(office.get(made.headers["Location"]))
    assert "有人冒充教务处收取补考费" in page and "已登记" in page
    clue_path = made.headers["Location"]
    verified = post(
        office,
        f"{clue_path}/verification",
        {"verification": "confirmed", "verified_on": "2021-11-02"},
        page=clue_path,
    )
    assert verified.status_code == 302
    handed = post(
        office,
        f"{clue_path}/handling",
        {"handling": "handed_over", "handled_on": "2021-11-03", "receiving_agency": "police"},
        page=clue_path,
    )
    page = text(handed)
    assert handed.status_code == 422 and "须填写接收人" in page and not english(page)
    fixed = {"kind": "fraud", "content": "有人冒充教务处收取重修费", "received_on": "2021-11-01"}
    stale = post(office, f"{clue_path}/correct", {**fixed, "version": "9"}, page=clue_path)
    assert stale.status_code == 412 and not english(text(stale))
    corrected = post(office, f"{clue_path}/correct", {**fixed, "version": "2"}, page=clue_path)
    assert corrected.status_code == 302
    assert "收取重修费" in text(office.get(clue_path))
    listed = text(office.get("/office/clues?kind=fraud"))
    assert "有人冒充教务处" in listed and "已核实" in listed
    assert "查看" in text(office.get("/office/clues/access-log"))
    manager = signed_in(console, "J001")
    assert "线索台账" not in text(manager.get("/"))
    denied = manager.get("/office/clues")
    assert denied.status_code == 403 and "无权访问" in text(denied)


def test_a_joint_inspection_and_a_patrol_on_the_phone(console, campus):  # noqa: F811
    office = signed_in(console, "S001")
    form = {
        "inspected_on": "2021-11-20",
        "agencies": "雁滩派出所\n城关区消防救援大队",
        "members": "张保卫、李警官",
        "cell_ids": [campus["b1"], campus["dorm"]],
    }
    made = post(office, "/office/joint-inspections/new", form)
    assert made.status_code == 302, text(made)[:500]
    record = made.headers["Location"]
    assert "雁滩派出所、城关区消防救援大队" in text(office.get(record))
    finding = {"cell_id": campus["dorm"], "category": "fire", "description": "疏散指示灯损坏"}
    found = post(office, f"{record}/findings", finding, page=record, follow_redirects=True)
    assert re.search(r"隐患 \S+ 已进入隐患台账", text(found))
    hazard = re.search(r'href="(/hazards/[^"]+)"', text(found).split('id="findings"')[1]).group(1)
    back = office.get(
        text(office.get(hazard)).split('id="hazard-joint"><a href="')[1].split('"')[0]
    )
    assert back.status_code == 302 and back.headers["Location"].endswith(record)
    route = {"name": "1号楼夜间巡查", "unit_code": "JD", "cell_ids": [campus["b1"], campus["f3"]]}
    assert post(office, "/office/patrols/routes/new", route).status_code == 302
    listing = text(office.get("/office/patrols"))
    route_id = re.search(r'<option value="([^"]+)">1号楼夜间巡查', listing).group(1)
    started = post(office, "/office/patrols", {"route_id": route_id}, page="/office/patrols")
    patrol = started.headers["Location"]
    page = text(office.get(patrol, headers={"User-Agent": "iPhone"}))
    assert "已签到 0 / 2 处" in page and "扫码签到" in page
    qr = f"http://127.0.0.1:5000/report?cell={campus['b1']}"
    assert post(office, f"{patrol}/check-in", {"scan": qr}, page=patrol).status_code == 302
    wrong = post(office, f"{patrol}/check-in", {"scan": "XX-D2"}, page=patrol)
    assert wrong.status_code == 422 and "不是本次巡查路线上的地点" in text(wrong)
    issue = {"cell_id": campus["b1"], "category": "fire", "description": "灭火器过期"}
    assert post(office, f"{patrol}/findings", issue, page=patrol).status_code == 302
    page = text(office.get(patrol))
    hazard = re.search(r'href="(/hazards/[^"]+)"', page.split('id="findings"')[1]).group(1)
    back = office.get(
        text(office.get(hazard)).split('id="hazard-patrol"><a href="')[1].split('"')[0]
    )
    assert back.status_code == 302 and back.headers["Location"].endswith(patrol)
    done = post(office, f"{patrol}/finish", {}, page=patrol, follow_redirects=True)
    page = text(done)
    assert "漏巡 1 处" in page and "三层东侧" in page.split('id="h-missed"')[1]
    retire = f"/office/patrols/routes/{route_id}/retire"
    retired = post(office, retire, {}, page="/office/patrols", follow_redirects=True)
    assert "巡查路线已停用" in text(retired) and 'id="routes"' not in text(retired)
