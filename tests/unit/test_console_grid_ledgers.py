"""The console's 背景审查 and 安全责任书 pages (issue 16) against the real grid app, in
process: the personnel department finds a person, records a check (a refused form keeps
what was typed, the complaint beside the field) and lists it; a unit manager has no menu
entry and gets the grid's refusal as a Chinese 403 page; the manager sees the year's
unsigned posts, records a letter with its signed scan and reads the scan back."""

from __future__ import annotations

import io
from datetime import date

import pytest

from tests.support.console import console_over
from tests.unit.test_console_grid_admin import OFFICE, post, sign_in, table, text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
YEAR = date.today().year
UNITS = (("JD", "机电工程学院", "college"), ("RSC", "人事处", "office"))
UNITS += (("BWC", "安全保卫处", "office"),)


@pytest.fixture
def grid(make_app, tmp_path):
    app = make_app("grid", checked_posts="head,safety_officer", files_dir=str(tmp_path / "f"))
    api = app.test_client()
    for code, name, kind in UNITS:
        api.post("/units", json={"code": code, "name": name, "kind": kind}, headers=OFFICE)
    app.people = {}
    for unit, roles, number, name in (
        ("RSC", ["personnel"], "R001", "人事王"),
        ("BWC", ["security_office"], "S001", "吴保卫"),
        ("JD", ["unit_manager"], "J001", "郑主任"),
        ("JD", [], "W001", "外聘李"),
    ):
        body = {"name": name, "phone": "13800000000", "unit_code": unit, "staff_no": number}
        person = api.post("/people", json={**body, "roles": roles}, headers=OFFICE).get_json()
        app.people[number] = person["id"]
        if roles:
            body = {"password": "pass-1234"}
            api.put(f"/people/{person['id']}/password", json=body, headers=OFFICE)
    root = api.post(
        "/cells", json={"code": "C", "name": "学院", "area_type": "campus"}, headers=OFFICE
    )
    unit = {"code": "JD", "name": "机电", "area_type": "unit", "unit_code": "JD"}
    unit_id = api.post("/cells", json={**unit, "parent_id": root.get_json()["id"]}, headers=OFFICE)
    place = {"code": "JD-1", "name": "机电实训楼", "area_type": "lab"}
    place = api.post(
        "/cells", json={**place, "parent_id": unit_id.get_json()["id"]}, headers=OFFICE
    )
    app.place = place.get_json()["id"]
    return app


@pytest.fixture
def console(grid, monkeypatch, tmp_path):
    return console_over({"grid": grid}, monkeypatch, tmp_path)


def signed_in(console, number: str):
    client = console.test_client()
    assert sign_in(client, number).status_code == 302
    return client


def test_personnel_records_a_check_through_the_pages_and_a_manager_is_refused(console, grid):
    hr = signed_in(console, "R001")
    assert ">背景审查</a>" in text(hr.get("/"))
    found = text(hr.get("/grid/checks?q=外聘"))  # by name: numbers match in own unit only
    person_id = grid.people["W001"]
    assert "外聘李" in found and f"/grid/checks/new?person_id={person_id}" in found
    form = f"/grid/checks/new?person_id={person_id}"
    typed = {"kind": "qualification", "checked_on": "", "result": "passed"}
    typed |= {"valid_until": "2031-01-01", "note": "资格审查无异常"}
    refused = post(hr, form, typed)
    assert refused.status_code == 422
    said = text(refused)
    assert 'id="e-c-on"' in said and 'value="2031-01-01"' in said and "资格审查无异常" in said
    made = post(hr, form, {**typed, "checked_on": "2026-01-05"})
    assert made.status_code == 302, text(made)
    listed = text(hr.get(made.location))
    rows = table(listed, "checks")
    assert "外聘李" in rows and "资格审查" in rows and "通过" in rows and "2031-01-01" in rows
    assert 'class="cards-phone"' in listed and 'data-label="有效期至"' in rows

    manager = signed_in(console, "J001")
    assert ">背景审查</a>" not in text(manager.get("/"))
    page = manager.get("/grid/checks")
    assert page.status_code == 403 and "无权访问" in text(page)
    assert "资格审查无异常" not in text(page)


def test_the_manager_sees_who_has_not_signed_and_records_a_letter_with_its_scan(console, grid):
    office = signed_in(console, "S001")
    api = grid.test_client()
    person = grid.people["W001"]
    check = {"person_id": person, "kind": "onboarding", "checked_on": "2026-01-01"}
    check |= {"result": "passed", "valid_until": "2036-01-01"}
    assert api.post("/checks", json=check, headers=OFFICE).status_code == 201
    body = {"cell_id": grid.place, "person_id": person, "role": "head"}
    assert api.post("/assignments", json=body, headers=OFFICE).status_code == 201
    assert ">安全责任书</a>" in text(office.get("/"))

    manager = signed_in(console, "J001")
    unsigned = text(manager.get(f"/grid/letters?year={YEAR}&signed=false"))
    rows = table(unsigned, "letters")
    assert "外聘李" in rows and "未签订" in rows and "网格负责人" in rows
    link = rows.split('href="')[1].split('"')[0]
    assert text(manager.get(link)).count('type="file"') == 1
    no_file = post(manager, link, {"signed_on": date.today().isoformat()})
    assert no_file.status_code == 422 and 'id="e-l-file"' in text(no_file)
    data = {"signed_on": date.today().isoformat(), "file": (io.BytesIO(PNG), "责任书.png")}
    done = post(manager, link, data, content_type="multipart/form-data")
    assert done.status_code == 302, text(done)
    signed = table(text(manager.get(f"/grid/letters?year={YEAR}")), "letters")
    assert "已签订" in signed and "责任书.png" in signed
    assert text(manager.get(f"/grid/letters?year={YEAR}&signed=false")).count("外聘李") == 0
    scan = signed.split('href="')[1].split('"')[0]
    got = manager.get(scan)
    assert got.status_code == 200 and got.data == PNG
