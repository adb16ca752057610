"""The console's administration pages (管理) against the real grid and hazard apps, in
process: the security office builds a unit, a person who can then sign in, a place and an
assignment through the pages alone; a unit manager sees his own unit and is refused another's
in Chinese; a roster with errors shows its rows and changes nothing; a refused form keeps
what was typed."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest

from tests.support.console import console_over
from tests.support.fixtures import bearer

OFFICE = bearer("security_office", sub="so-setup")


@pytest.fixture
def grid(make_app):
    return make_app("grid")


@pytest.fixture
def console(grid, make_app, monkeypatch, tmp_path):
    return console_over({"grid": grid, "hazards": make_app("hazards")}, monkeypatch, tmp_path)


def seed(grid) -> dict:
    """Two units with a college root and a unit cell each; an office person and a manager
    of JD who can sign in (made through the grid's API, as a setup)."""
    api = grid.test_client()
    for code, name in (("JD", "机电工程学院"), ("XX", "信息工程学院"), ("BWC", "安全保卫处")):
        kind = "office" if code == "BWC" else "college"
        assert (
            api.post(
                "/units", json={"code": code, "name": name, "kind": kind}, headers=OFFICE
            ).status_code
            == 201
        )
    root = api.post(
        "/cells", json={"code": "LZ", "name": "学院", "area_type": "campus"}, headers=OFFICE
    ).get_json()
    cells = {}
    for code in ("JD", "XX"):
        cells[code] = api.post(
            "/cells",
            json={
                "code": f"{code}-U",
                "name": f"{code}单位网格",
                "area_type": "unit",
                "parent_id": root["id"],
                "unit_code": code,
            },
            headers=OFFICE,
        ).get_json()
    people = {}
    for key, unit, roles, number in (
        ("office", "BWC", ["security_office"], "S001"),
        ("manager", "JD", ["unit_manager"], "J001"),
        ("other", "XX", [], "X001"),
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
        people[key] = person
    return {"root": root, "cells": cells, "people": people}


def csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, login: str, password: str = "pass-1234"):
    form = {"login": login, "password": password, "csrf_token": csrf(client, "/login")}
    return client.post("/login", data=form)


def post(client, path: str, data: dict, page: str | None = None, **kwargs):
    return client.post(path, data={**data, "csrf_token": csrf(client, page or path)}, **kwargs)


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def table(page: str, table_id: str) -> str:
    return page.split(f'id="{table_id}"')[1].split("</table>")[0]


def test_the_office_builds_a_unit_a_person_a_place_and_an_assignment(console, grid):
    setup = seed(grid)
    office = console.test_client()
    assert sign_in(office, "S001").status_code == 302
    assert ">管理</a>" in text(office.get("/grid"))
    assert "名单导入" in text(office.get("/admin"))

    made = post(office, "/admin/units", {"code": "HQ", "name": "后勤管理处", "kind": "office"})
    assert made.status_code == 302
    assert "后勤管理处" in text(office.get("/admin/units"))

    form = {
        "name": "张伟",
        "phone": "13912345678",
        "unit_code": "HQ",
        "staff_no": "H001",
        "roles": ["grid_staff"],
    }
    made = post(office, "/admin/people/new", form)
    assert made.status_code == 302
    person_page = text(office.get(made.location))
    assert "张伟" in person_page and "尚未设置密码" in person_page
    person_id = made.location.rsplit("/", 1)[1]
    post(
        office,
        f"/admin/people/{person_id}/password",
        {"password": "zhang-5678"},
        page=made.location,
    )
    assert "可以登录" in text(office.get(made.location))
    found = table(text(office.get("/admin/people?q=张")), "people")
    assert "张伟" in found and "后勤管理处" in found and "office人" not in found

    newcomer = console.test_client()  # the new person signs in with what the office set
    assert sign_in(newcomer, "H001", "zhang-5678").status_code == 302
    assert "张伟" in text(newcomer.get("/grid"))

    unit_cell = setup["cells"]["JD"]["id"]
    place = {"code": "JD-301", "name": "3号楼301实训室", "area_type": "lab", "location": "3楼东"}
    made = post(office, f"/grid/cells/{unit_cell}/children", place, page=f"/grid/cells/{unit_cell}")
    assert made.status_code == 302
    place_page = text(office.get(made.location))
    assert "3号楼301实训室" in place_page and "JD单位网格" in place_page  # under its parent
    place_id = made.location.rsplit("/", 1)[1]

    manager_id = setup["people"]["manager"]["id"]
    assign = {"person_id": manager_id, "role": "head", "effective_from": "2026-09-01"}
    made = post(office, f"/grid/cells/{place_id}/assign", assign, page=made.location)
    assert made.status_code == 302
    holders = table(text(office.get(made.location)), "holders")
    assert "manager人" in holders and "网格负责人" in holders


def test_a_unit_manager_sees_his_unit_and_is_refused_another_s_in_chinese(console, grid):
    setup = seed(grid)
    manager = console.test_client()
    assert sign_in(manager, "J001").status_code == 302
    listed = table(text(manager.get("/admin/people")), "people")
    assert "manager人" in listed and "other人" not in listed and "office人" not in listed
    assert ">管理</a>" in text(manager.get("/grid"))

    other = setup["people"]["other"]
    page = text(manager.get(f"/admin/people/{other['id']}"))
    assert 'id="person-form"' not in page  # no edit form for another unit's person
    refused = post(
        manager,
        f"/admin/people/{other['id']}",
        {"name": "改名", "phone": "13800000000", "unit_code": "XX"},
    )
    assert refused.status_code == 403
    said = text(refused)
    assert "无权执行此操作" in said and "须由安全保卫处或该单位负责人办理" in said
    assert "needs the security office" not in said  # the service's English stays out
    after = grid.test_client().get(f"/people/{other['id']}", headers=OFFICE).get_json()
    assert after["name"] == "other人"

    # and a place in another unit: no forms offered, a crafted one refused
    xx_cell = setup["cells"]["XX"]["id"]
    assert 'id="child-form"' not in text(manager.get(f"/grid/cells/{xx_cell}"))
    place = {"code": "XX-1", "name": "信息楼", "area_type": "teaching"}
    refused = post(manager, f"/grid/cells/{xx_cell}/children", place, page=f"/grid/cells/{xx_cell}")
    assert refused.status_code == 403 and "无权执行此操作" in text(refused)
    cells = grid.test_client().get("/cells", headers=OFFICE).get_json()
    assert "XX-1" not in {c["code"] for c in cells}


def test_a_roster_with_errors_shows_its_rows_and_imports_nothing(console, grid):
    setup = seed(grid)
    api = grid.test_client()
    place = api.post(
        "/cells",
        json={
            "code": "JD-1",
            "name": "实训楼",
            "area_type": "lab",
            "parent_id": setup["cells"]["JD"]["id"],
        },
        headers=OFFICE,
    ).get_json()
    roster = (
        "姓名,手机,工号,网格编码,角色,生效日期\n"
        "李明,13911112222,J100,JD-1,网格负责人,2026-09-01\n"
        ",13911113333,J101,JD-1,网格安全员,2026-09-01\n"
        "王芳,13911114444,J102,NOPE,网格安全员,2026-09-01\n"
    ).encode()
    manager = console.test_client()
    sign_in(manager, "J001")
    upload = {
        "unit_code": "JD",
        "mode": "apply",
        "file": (io.BytesIO(roster), "名单.csv", "text/csv"),
    }
    answer = post(manager, "/admin/import", upload, content_type="multipart/form-data")
    assert answer.status_code == 422
    page = text(answer)
    rows = page.split('id="row-errors"')[1].split("</table>")[0]
    assert "第 3 行" in rows and "姓名" in rows and "第 4 行" in rows and "网格编码" in rows
    assert "缺少姓名" in rows and "本单位没有编码为 NOPE 的网格" in rows  # the grid's words
    assert "未导入任何数据" in page
    people = api.get("/people", query_string={"unit_code": "JD"}, headers=OFFICE).get_json()
    assert "李明" not in {p["name"] for p in people}  # the good row was not applied either
    assert api.get(f"/cells/{place['id']}/holders", headers=OFFICE).get_json() == []

    good = roster.split(b"\n")[:2]
    upload["file"] = (io.BytesIO(b"\n".join(good) + b"\n"), "名单.csv", "text/csv")
    upload["mode"] = "check"
    checked = post(manager, "/admin/import", upload, content_type="multipart/form-data")
    assert checked.status_code == 200 and "检查通过，尚未导入" in text(checked)
    assert api.get(f"/cells/{place['id']}/holders", headers=OFFICE).get_json() == []
    upload["file"] = (io.BytesIO(b"\n".join(good) + b"\n"), "名单.csv", "text/csv")
    upload["mode"] = "apply"
    applied = post(manager, "/admin/import", upload, content_type="multipart/form-data")
    assert applied.status_code == 200 and "已导入" in text(applied)
    holders = api.get(f"/cells/{place['id']}/holders", headers=OFFICE).get_json()
    assert [h["person_name"] for h in holders] == ["李明"]


def test_a_refused_form_keeps_what_was_typed_and_says_why_in_chinese(console, grid):
    seed(grid)
    office = console.test_client()
    sign_in(office, "S001")
    form = {
        "name": "赵六",
        "phone": "12345",
        "unit_code": "JD",
        "staff_no": "J001",  # the manager's number already
        "roles": ["grid_staff"],
    }
    refused = post(office, "/admin/people/new", form)
    assert refused.status_code == 422
    page = text(refused)
    assert 'value="赵六"' in page and 'value="12345"' in page and 'value="J001"' in page
    assert re.search(r'value="grid_staff" checked', page)
    phone_error = re.search(r'id="e-p-phone">([^<]+)<', page).group(1)
    assert re.search(r"[\u4e00-\u9fff]", phone_error)
    assert "not a mainland" not in page and "Not a valid" not in page

    form["phone"] = "13912345678"
    taken = post(office, "/admin/people/new", form)
    assert taken.status_code == 409
    said = re.search(r'id="e-p-staff">([^<]+)<', text(taken)).group(1)
    assert "J001" in said and "登录名" in said  # the grid's own Chinese reason, beside 工号
    assert 'value="赵六"' in text(taken)


def test_the_office_keeps_inspection_checklists(console, grid):
    seed(grid)
    office = console.test_client()
    sign_in(office, "S001")
    made = post(
        office,
        "/admin/checklists",
        {
            "code": "FIRE-D",
            "name": "消防日常检查",
            "category": "fire",
            "items": "灭火器压力正常\n疏散通道畅通\n",
        },
    )
    assert made.status_code == 302
    page = text(office.get("/admin/checklists"))
    assert "消防日常检查" in page and "疏散通道畅通" in page
    retire = re.search(r'action="(/admin/checklists/[^"]+/retire)"', page).group(1)
    post(office, retire, {"etag": '"1"'}, page="/admin/checklists")
    assert "已停用" in text(office.get("/admin/checklists"))


def test_a_search_matches_numbers_only_within_the_caller_s_unit(grid):
    """Staff and student numbers are personal data: a unit manager's search finds another
    unit's person by name, never by number."""
    seed(grid)
    api = grid.test_client()
    manager = bearer("unit_manager", unit="JD", sub="m-1")
    by_number = api.get("/people", query_string={"q": "X001"}, headers=manager).get_json()
    assert by_number == []
    by_name = api.get("/people", query_string={"q": "other"}, headers=manager).get_json()
    assert [p["name"] for p in by_name] == ["other人"]
    office = api.get("/people", query_string={"q": "X001"}, headers=OFFICE).get_json()
    assert [p["name"] for p in office] == ["other人"]


def test_the_admin_pages_are_not_offered_to_grid_staff(console, grid):
    setup = seed(grid)
    api = grid.test_client()
    staff = api.post(
        "/people",
        json={
            "name": "网格员甲",
            "phone": "13800000001",
            "unit_code": "JD",
            "staff_no": "J009",
            "roles": ["grid_staff"],
        },
        headers=OFFICE,
    ).get_json()
    api.put(f"/people/{staff['id']}/password", json={"password": "pass-1234"}, headers=OFFICE)
    client = console.test_client()
    sign_in(client, "J009")
    assert ">管理</a>" not in text(client.get("/grid"))
    assert client.get("/admin").status_code == 403
    jd_cell = setup["cells"]["JD"]["id"]
    assert 'id="assign-form"' not in text(client.get(f"/grid/cells/{jd_cell}"))


def test_the_office_moves_a_place_and_ends_an_assignment_which_stays_in_the_history(console, grid):
    setup = seed(grid)
    api = grid.test_client()
    jd = setup["cells"]["JD"]["id"]
    building = api.post(
        "/cells",
        json={"code": "JD-B", "name": "实训楼", "area_type": "lab", "parent_id": jd},
        headers=OFFICE,
    ).get_json()
    room = api.post(
        "/cells",
        json={"code": "JD-R", "name": "101室", "area_type": "lab", "parent_id": jd},
        headers=OFFICE,
    ).get_json()
    office = console.test_client()
    sign_in(office, "S001")
    here = f"/grid/cells/{room['id']}"
    moved = post(office, f"{here}/move", {"parent_id": building["id"]}, page=here)
    assert moved.status_code == 302
    assert "实训楼</a> / 101室" in text(office.get(here))  # the chain names the new parent

    manager = setup["people"]["manager"]["id"]
    assign = {"person_id": manager, "role": "safety_officer", "effective_from": "2026-09-01"}
    assert post(office, f"{here}/assign", assign, page=here).status_code == 302
    holder = api.get(f"/cells/{room['id']}/holders", headers=OFFICE).get_json()[0]
    ended = post(
        office, f"{here}/assignments/{holder['id']}/end", {"effective_to": "2026-10-01"}, page=here
    )
    assert ended.status_code == 302
    page = text(office.get(here))
    assert "manager人" not in table(page, "holders")
    assert "2026-10-01" in table(page, "history") and "manager人" in table(page, "history")


def test_an_empty_grid_gets_its_root_from_the_tree_page(console, grid):
    api = grid.test_client()
    api.post("/units", json={"code": "BWC", "name": "安全保卫处", "kind": "office"}, headers=OFFICE)
    person = api.post(
        "/people",
        json={
            "name": "处长",
            "phone": "13800000000",
            "unit_code": "BWC",
            "staff_no": "S001",
            "roles": ["security_office"],
        },
        headers=OFFICE,
    ).get_json()
    api.put(f"/people/{person['id']}/password", json={"password": "pass-1234"}, headers=OFFICE)
    office = console.test_client()
    sign_in(office, "S001")
    assert 'id="root-form"' in text(office.get("/grid"))
    refused = post(office, "/grid/cells", {"code": "L Z", "name": "兰州现代职业学院"}, page="/grid")
    assert refused.status_code == 422 and 'value="兰州现代职业学院"' in text(refused)
    made = post(office, "/grid/cells", {"code": "LZ", "name": "兰州现代职业学院"}, page="/grid")
    assert made.status_code == 302
    tree = text(office.get("/grid"))
    assert "兰州现代职业学院" in tree and 'id="root-form"' not in tree


def test_the_header_names_the_signed_in_person_s_unit_not_its_code(console, grid):
    seed(grid)
    manager = console.test_client()
    assert sign_in(manager, "J001").status_code == 302
    header = text(manager.get("/")).split("</header>")[0]
    assert "manager人" in header and "机电工程学院" in header
    assert "· JD）" not in header
