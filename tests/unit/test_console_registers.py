"""The console's registers (登记册) against the real grid and hazard apps, in process: risk
points listed with filters, created and edited through the form, and a place's printable
风险公告; a daily inspection tapped through on a phone whose failed item opens a hazard
the result page links to; special equipment with its due list (逾期) and a recorded
periodic inspection. A refused form keeps what was typed and says why in Chinese beside
the field; places and units are named, never coded."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from html import unescape

import pytest

from shared.api import state
from shared.grid_projection import GridAssignment, GridUnit
from shared.grid_projection import GridCell as ProjectedCell
from tests.support.console import console_over
from tests.support.fixtures import bearer

OFFICE = bearer("security_office", sub="so-setup")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
# An English sentence of a service's (or marshmallow's) must never reach the page.
ENGLISH = re.compile(r"(must be|not a place|Missing data|required|Not a valid|outside your)")


def english(page: str) -> bool:
    """Whether an English sentence shows on the page (its text, not its markup)."""
    return bool(ENGLISH.search(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture
def grid(make_app):
    return make_app("grid")


@pytest.fixture
def hazards(make_app, tmp_path):
    return make_app("hazards", files_dir=str(tmp_path / "files"))


@pytest.fixture
def console(grid, hazards, monkeypatch, tmp_path):
    return console_over({"grid": grid, "hazards": hazards}, monkeypatch, tmp_path)


@pytest.fixture
def campus(grid, hazards) -> dict:
    """Two colleges with places (made through the grid's API and copied into the hazard
    ledger's grid projection, as the grid's events would), an office person and JD's
    manager who can sign in."""
    api = grid.test_client()
    for code, name in (("JD", "机电工程学院"), ("XX", "信息工程学院"), ("BWC", "安全保卫处")):
        kind = "office" if code == "BWC" else "college"
        made = api.post("/units", json={"code": code, "name": name, "kind": kind}, headers=OFFICE)
        assert made.status_code == 201
    root = cell(api, "LZ", "学院", "campus")
    places = {}
    for unit in ("JD", "XX"):
        places[unit] = cell(api, f"{unit}-U", f"{unit}单位网格", "unit", root["id"], unit)
    places["b1"] = cell(api, "JD-B1", "1号教学楼", "teaching", places["JD"]["id"])
    places["f3"] = cell(api, "JD-B1-F3", "三层东侧", "teaching", places["b1"]["id"])
    places["dorm"] = cell(api, "XX-D2", "2号宿舍楼", "dormitory", places["XX"]["id"])
    for key, unit, roles, number in (
        ("office", "BWC", ["security_office"], "S001"),
        ("manager", "JD", ["unit_manager"], "J001"),
    ):
        person = api.post(
            "/people",
            json={
                "name": f"{key}人",
                "phone": "13800000000",
                "unit_code": unit,
                "staff_no": number,
                "roles": roles,
            },
            headers=OFFICE,
        ).get_json()
        api.put(f"/people/{person['id']}/password", json={"password": "pass-1234"}, headers=OFFICE)
    with hazards.app_context(), state().session_factory() as session, session.begin():
        for unit in api.get("/units", headers=OFFICE).get_json():
            session.add(GridUnit(**{k: unit[k] for k in ("code", "name", "kind")}, last_sequence=1))
        for c in api.get("/cells", headers=OFFICE).get_json():
            session.add(
                ProjectedCell(
                    cell_id=c["id"],
                    code=c["code"],
                    name=c["name"],
                    level=c["level"],
                    parent_id=c["parent_id"],
                    unit_code=c["unit_code"],
                    area_type=c["area_type"],
                    location=c["location"],
                    last_sequence=1,
                )
            )
    return {key: c["id"] for key, c in places.items()}


def cell(api, code, name, area_type, parent_id=None, unit_code=None) -> dict:
    body = {"code": code, "name": name, "area_type": area_type}
    body |= {"parent_id": parent_id} if parent_id else {}
    body |= {"unit_code": unit_code} if unit_code else {}
    made = api.post("/cells", json=body, headers=OFFICE)
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def signed_in(console, login: str):
    client = console.test_client()
    form = {"login": login, "password": "pass-1234", "csrf_token": csrf(client, "/login")}
    assert client.post("/login", data=form).status_code == 302
    return client


def post(client, path: str, data: dict, page: str | None = None, **kwargs):
    return client.post(path, data={**data, "csrf_token": csrf(client, page or path)}, **kwargs)


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def table(page: str, table_id: str) -> str:
    return page.split(f'id="{table_id}"')[1].split("</table>")[0]


def rows(page: str, table_id: str) -> list[str]:
    return table(page, table_id).split("<tbody>")[1].split("<tr")[1:]


def field(page: str, field_id: str) -> str:
    """The form field (label, control, error) around ``field_id``."""
    return page.split(f'for="{field_id}"')[1].split('<div class="field')[0]


RISK = {
    "category": "fire",
    "name": "配电室",
    "hazard_factors": "电气线路老化",
    "likelihood": "4",
    "severity": "5",
    "control_measures": "每日巡查，配备灭火器",
    "emergency_measures": "断电、报警、疏散",
    "owner_name": "李明",
    "next_review_on": "2027-06-30",
}


# -- risk points ----------------------------------------------------------------------------
def test_risk_points_are_created_listed_by_name_filtered_and_re_assessed(console, campus):
    manager = signed_in(console, "J001")
    assert ">风险点</a>" in text(manager.get("/registers/risks"))
    form = text(manager.get("/registers/risks/new"))
    assert "1号教学楼 › 三层东侧" in form and "2号宿舍楼" not in form  # his unit's places
    assert "很可能" in form and "灾难性" in form  # the L and S grades, from the service

    made = post(manager, "/registers/risks/new", {**RISK, "cell_id": campus["b1"]})
    assert made.status_code == 302
    page = text(manager.get(made.location))
    assert "重大风险" in page and "4×5 = 20" in page and "机电工程学院" in page
    post(
        manager,
        "/registers/risks/new",
        {**RISK, "name": "楼梯间", "likelihood": "2", "severity": "2", "cell_id": campus["f3"]},
        page="/registers/risks/new",
    )

    listed = text(manager.get("/registers/risks"))
    cards = rows(listed, "risks")
    assert len(cards) == 2 and 'class="cards-phone"' in listed
    assert 'data-label="地点">1号教学楼' in cards[0] and "机电工程学院" in cards[0]
    assert campus["b1"] not in re.sub(r"<[^>]+>", "", cards[0])  # named, never the id
    red = rows(text(manager.get("/registers/risks?level=red")), "risks")
    assert len(red) == 1 and "配电室" in red[0]
    at_floor = rows(text(manager.get(f"/registers/risks?cell_id={campus['f3']}")), "risks")
    assert len(at_floor) == 1 and "楼梯间" in at_floor[0] and "低风险" in at_floor[0]

    edit = made.location
    edited = post(manager, edit, {**RISK, "cell_id": campus["b1"], "likelihood": "3"}, page=edit)
    assert edited.status_code == 302
    assert "较大风险" in text(manager.get(edit)) and "3×5 = 15" in text(manager.get(edit))

    form_page = manager.get(edit).get_data(as_text=True)
    stale = unescape(re.search(r'name="etag" value="([^"]+)"', form_page).group(1))
    post(manager, edit, {**RISK, "cell_id": campus["b1"], "etag": stale}, page=edit)
    late = {**RISK, "cell_id": campus["b1"], "name": "配电房", "etag": stale}
    refused = post(manager, edit, late, page=edit)  # another's save came in between
    assert refused.status_code == 412
    assert "已被他人修改" in text(refused) and 'value="配电房"' in text(refused)


def test_a_refused_risk_form_keeps_what_was_typed_and_says_why_beside_the_field(console, campus):
    manager = signed_in(console, "J001")
    typed = {**RISK, "cell_id": campus["b1"], "owner_name": "", "likelihood": "7"}
    refused = post(manager, "/registers/risks/new", typed)
    assert refused.status_code == 422
    page = text(refused)
    assert 'value="配电室"' in page and "电气线路老化" in page and 'value="2027-06-30"' in page
    assert 'class="field invalid"' in page
    assert 'aria-describedby="e-r-owner"' in page and 'id="e-r-owner"' in field(page, "r-owner")
    assert 'id="e-r-l"' in field(page, "r-l")
    assert not english(page)

    office = signed_in(console, "S001")  # another unit's place: the manager is refused
    other = {**RISK, "cell_id": campus["dorm"]}
    refused = post(manager, "/registers/risks/new", other)
    assert refused.status_code == 403
    page = text(refused)
    beside = field(page, "r-place")
    assert "无权" in beside and "安全保卫处或该单位负责人" in beside and 'value="配电室"' in page
    assert post(office, "/registers/risks/new", other).status_code == 302


def test_a_places_risk_announcement_prints_red_to_blue_with_the_rooms_below(console, campus):
    office = signed_in(console, "S001")
    for name, likelihood, severity, place in (
        ("楼梯间", "2", "2", "f3"),
        ("配电室", "5", "5", "b1"),
        ("实验准备间", "3", "3", "b1"),
    ):
        body = {**RISK, "name": name, "likelihood": likelihood, "severity": severity}
        made = post(office, "/registers/risks/new", {**body, "cell_id": campus[place]})
        assert made.status_code == 302
    assert f"/registers/risks/announcement?cell_id={campus['b1']}" in text(
        office.get("/registers/risks")
    )
    page = text(office.get(f"/registers/risks/announcement?cell_id={campus['b1']}"))
    assert "安全风险公告" in page and "1号教学楼 · 机电工程学院" in page
    assert "最高风险等级：<strong>重大风险" in page
    assert page.index("配电室") < page.index("实验准备间") < page.index("楼梯间")
    assert "三层东侧" in page  # the room below, named on its point
    assert "data-print" in page and 'name="viewport"' in page
    css = console.test_client().get("/static/console.css").get_data(as_text=True)
    assert "size: A4" in css


# -- daily inspections ----------------------------------------------------------------------
def test_a_phone_inspection_records_taps_and_a_failed_item_opens_a_linked_hazard(console, campus):
    manager = signed_in(console, "J001")
    listed = text(manager.get(f"/registers/inspections?cell_id={campus['b1']}"))
    assert "开始巡查" in listed and "暂无巡查记录" in listed
    assert "今日巡查：已巡查 0 / 2 处" in listed  # the unit's places not yet inspected today
    assert f'href="/registers/inspections/new?cell_id={campus["b1"]}">巡查 1号教学楼' in listed
    pick = text(manager.get(f"/registers/inspections/new?cell_id={campus['b1']}"))
    assert (
        "地点：<strong>1号教学楼" in pick and 'class="tap"' in pick and "消防安全日检查表" in pick
    )
    fire = re.search(r'for="t-([^"]+)">消防安全日检查表', pick).group(1)

    path = f"/registers/inspections/new?cell_id={campus['b1']}&template_id={fire}"
    checklist = text(manager.get(path))
    codes = re.findall(r'name="result-([A-Za-z0-9_-]+)" value="pass"', checklist)
    assert len(codes) == 8 and "合格" in checklist and "不合格" in checklist
    assert 'class="tap tap-fail"' in checklist and 'type="file"' in checklist
    assert "选择照片" in checklist

    form = {"cell_id": campus["b1"], "template_id": fire, "note": "早班巡查"}
    form |= {f"result-{c}": "pass" for c in codes}
    form[f"result-{codes[1]}"] = "fail"
    form[f"note-{codes[1]}"] = "灭火器压力不足"
    form[f"photo-{codes[1]}"] = (io.BytesIO(JPEG), "extinguisher.jpg")
    done = post(manager, "/registers/inspections/new", form, page=path)
    assert done.status_code == 302 and "/registers/inspections/" in done.location
    result = text(manager.get(done.location))
    assert "已开具隐患" in result and "照片 1 张" in result
    number = re.search(r'id="opened-hazards">.*?<a href="/hazards/([^"]+)">([^<]+)</a>', result)
    hazard_id, hazard_number = number.groups()
    assert "灭火器压力不足" in result and "合格 7 · 不合格 1" in result
    hazard = text(manager.get(f"/hazards/{hazard_id}"))
    assert hazard_number in hazard and "灭火器压力不足" in hazard and "extinguisher.jpg" in hazard

    listed = text(manager.get("/registers/inspections"))
    assert "今日巡查：已巡查 1 / 2 处" in listed and "巡查 1号教学楼" not in listed
    recent = rows(listed, "inspections")
    assert len(recent) == 1 and "1号教学楼" in recent[0] and "不合格 1" in recent[0]
    assert "消防安全日检查表" in recent[0] and "manager人" in recent[0]


def test_an_inspection_with_items_left_untapped_is_returned_with_them_marked(console, campus):
    manager = signed_in(console, "J001")
    pick = text(manager.get(f"/registers/inspections/new?cell_id={campus['b1']}"))
    fire = re.search(r'value="([^"]+)" required checked', pick).group(1)
    path = f"/registers/inspections/new?cell_id={campus['b1']}&template_id={fire}"
    codes = re.findall(r'name="result-([A-Za-z0-9_-]+)" value="pass"', text(manager.get(path)))
    form = {"cell_id": campus["b1"], "template_id": fire, f"result-{codes[0]}": "fail"}
    form[f"note-{codes[0]}"] = "通道堵塞"
    form[f"photo-{codes[0]}"] = (io.BytesIO(JPEG), "blocked.jpg")
    refused = post(manager, "/registers/inspections/new", form, page=path)
    assert refused.status_code == 422
    page = text(refused)
    assert page.count("请选择检查结果") == len(codes) - 1
    assert f"还有 {len(codes) - 1} 项未选择检查结果" in page
    assert "照片需重新选择" in page
    assert f'id="r-{codes[0]}-fail" name="result-{codes[0]}" value="fail" checked' in page
    assert "通道堵塞" in page and not english(page)
    assert "暂无巡查记录" in text(manager.get("/registers/inspections"))

    office_pick = text(manager.get(f"/registers/inspections/new?template_id={fire}"))
    assert "请选择地点" in office_pick and 'id="e-i-place"' in office_pick


# -- special equipment ----------------------------------------------------------------------
def equipment(name: str, number: str, due: date, place: str) -> dict:
    return {
        "name": name,
        "kind": "elevator",
        "registration_no": number,
        "cell_id": place,
        "keeper_name": "赵工",
        "status": "in_use",
        "next_inspection_due": due.isoformat(),
    }


def test_equipment_due_list_is_sorted_by_due_date_with_overdue_tagged(console, campus):
    office = signed_in(console, "S001")
    today = date.today()
    for name, number, due in (
        ("图书馆客梯", "T-1", today + timedelta(days=200)),
        ("教学楼客梯", "T-2", today - timedelta(days=3)),
        ("宿舍货梯", "T-3", today + timedelta(days=10)),
    ):
        made = post(office, "/registers/equipment/new", equipment(name, number, due, campus["b1"]))
        assert made.status_code == 302, text(made)
    page = text(office.get("/registers/equipment"))
    listed = rows(page, "equipment")
    assert ["教学楼客梯" in listed[0], "宿舍货梯" in listed[1], "图书馆客梯" in listed[2]] == [
        True
    ] * 3
    assert "逾期" in listed[0] and "逾期" not in listed[1] + listed[2]
    assert "即将到期" in listed[1] and "电梯" in listed[0] and "1号教学楼" in listed[0]
    assert 'data-label="下次检验"' in listed[0] and 'class="cards-phone"' in page
    overdue = rows(text(office.get("/registers/equipment?due=overdue")), "equipment")
    assert len(overdue) == 1 and "教学楼客梯" in overdue[0]


def test_equipment_is_edited_and_a_periodic_inspection_moves_its_dates(console, campus):
    office = signed_in(console, "S001")
    today = date.today()
    due = today - timedelta(days=3)
    made = post(
        office, "/registers/equipment/new", equipment("教学楼客梯", "T-2", due, campus["b1"])
    )
    item = made.location
    page = text(office.get(item))
    assert "逾期" in page and "暂无定期检验记录" in page and "机电工程学院" in page

    bad = {"inspected_on": today.isoformat(), "result": "pass", "next_due": "2020-01-01"}
    refused = post(office, f"{item}/inspections", bad, page=item)
    assert refused.status_code == 422
    page = text(refused)
    assert 'id="e-p-next"' in field(page, "p-next") and 'value="2020-01-01"' in page
    assert not english(page)

    good = {**bad, "next_due": (today + timedelta(days=365)).isoformat(), "agency": "省特检院"}
    assert post(office, f"{item}/inspections", good, page=item).status_code == 302
    page = text(office.get(item))
    assert "逾期" not in page and "省特检院" in page and good["next_due"] in page

    taken = post(
        office,
        "/registers/equipment/new",
        equipment("另一台", "T-2", today + timedelta(days=9), campus["b1"]),
    )
    assert taken.status_code == 409
    assert 'id="e-e-reg"' in field(text(taken), "e-reg") and 'value="另一台"' in text(taken)

    renamed = {**equipment("教学楼1号客梯", "T-2", due, campus["b1"]), "location": "东门"}
    assert post(office, item, renamed, page=item).status_code == 302
    assert "教学楼1号客梯" in text(office.get("/registers/equipment"))


# -- what the hazard service added for these pages ---------------------------------------------
def test_the_service_sorts_the_due_list_and_names_the_registers_codes(hazards, campus):
    """GET /equipment?sort=due: soonest (longest overdue) first, no due date last; GET /labels
    carries the registers' words (the console keeps no copy)."""
    api, today = hazards.test_client(), date.today()
    made = {}
    for number, days in (("A", 40), ("B", -5), ("C", 5)):
        body = equipment(f"设备{number}", number, today + timedelta(days=days), campus["b1"])
        made[number] = api.post("/equipment", json=body, headers=OFFICE).get_json()["id"]
    failed = {"inspected_on": today.isoformat(), "result": "fail"}  # no next date: out of use
    recorded = api.post(f"/equipment/{made['C']}/inspections", json=failed, headers=OFFICE)
    assert recorded.status_code == 201
    listed = api.get("/equipment?sort=due", headers=OFFICE).get_json()
    assert [e["registration_no"] for e in listed] == ["B", "A", "C"]
    assert api.get("/equipment?sort=name", headers=OFFICE).status_code == 422
    words = api.get("/labels", headers=OFFICE).get_json()
    assert {"code": "red", "label": "重大风险"} in words["risk_levels"]
    assert {"code": "5", "label": "经常发生"} in words["likelihoods"]
    assert {"code": "fail", "label": "不合格"} in words["item_results"]
    assert {"code": "elevator", "label": "电梯"} in words["equipment_kinds"]
    assert {"code": "overdue", "label": "超期未检"} in words["due_states"]


def test_grid_staff_inspect_the_places_they_hold_and_are_told_why_not_elsewhere(
    console, campus, grid, hazards
):
    api = grid.test_client()
    staff = {"name": "王安全", "phone": "13800000001", "unit_code": "JD", "staff_no": "G001"}
    person = api.post("/people", json={**staff, "roles": ["grid_staff"]}, headers=OFFICE)
    person = person.get_json()
    api.put(f"/people/{person['id']}/password", json={"password": "pass-1234"}, headers=OFFICE)
    with hazards.app_context(), state().session_factory() as session, session.begin():
        session.add(  # 网格安全员 of building 1 (and so of its floors), as the grid's event says
            GridAssignment(
                assignment_id="a-1",
                cell_id=campus["b1"],
                person_id=person["id"],
                person_name="王安全",
                role="safety_officer",
                effective_from=date(2021, 1, 1),
                effective_to=None,
                last_sequence=1,
            )
        )
    phone = signed_in(console, "G001")
    assert ">日常巡查</a>" in text(phone.get("/registers/inspections"))
    pick = text(phone.get("/registers/inspections/new"))
    assert "三层东侧" in pick and "2号宿舍楼" not in pick
    fire = re.search(r'for="t-([^"]+)">消防安全日检查表', pick).group(1)
    for place, status in ((campus["f3"], 302), (campus["JD"], 403)):
        path = f"/registers/inspections/new?cell_id={place}&template_id={fire}"
        codes = re.findall(r'name="result-([A-Za-z0-9_-]+)" value="pass"', text(phone.get(path)))
        form = {"cell_id": place, "template_id": fire} | {f"result-{c}": "pass" for c in codes}
        done = post(phone, "/registers/inspections/new", form, page=path)
        assert done.status_code == status
    refused = text(done)
    assert "负责该地点的网格员" in refused.split('id="inspect-refused"')[1].split("</p>")[0]
    assert refused.count('value="pass" checked') == len(codes)  # the taps kept
    recent = rows(text(phone.get("/registers/inspections")), "inspections")
    assert len(recent) == 1 and "三层东侧" in recent[0] and f"合格 {len(codes)}" in recent[0]
