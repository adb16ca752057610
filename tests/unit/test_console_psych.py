"""The console's 心理台账 pages against the real grid and education apps, in process: the
psych centre lists records, opens one with its interventions, creates a record and adds an
intervention (a refused form keeps what was typed, the complaint beside the field); each
read is in the access log, which the security office reads too; other roles see no menu
entry and get the service's refusal as a Chinese 403 page."""

from __future__ import annotations

import pytest

from tests.support.console import console_over
from tests.unit.test_console_grid_admin import OFFICE, post, sign_in, text
from tests.unit.test_education_api import apply

UNITS = (("JD", "机电工程学院", "college"), ("XLZX", "心理健康中心", "office"))
UNITS += (("BWC", "安全保卫处", "office"),)


@pytest.fixture
def console(make_app, monkeypatch, tmp_path):
    grid, education = make_app("grid"), make_app("education")
    api = grid.test_client()
    for code, name, kind in UNITS:
        api.post("/units", json={"code": code, "name": name, "kind": kind}, headers=OFFICE)
        apply(education, "unit.changed", code, {"code": code, "name": name, "kind": kind})
    for unit, roles, number, name in (
        ("XLZX", ["psych_centre"], "P001", "周心理"),
        ("BWC", ["security_office"], "S001", "吴保卫"),
        ("JD", ["unit_manager"], "J001", "郑主任"),
    ):
        person = api.post(
            "/people",
            json={
                "name": name,
                "phone": "13800000000",
                "unit_code": unit,
                "staff_no": number,
                "roles": roles,
            },
            headers=OFFICE,
        ).get_json()
        api.put(f"/people/{person['id']}/password", json={"password": "pass-1234"}, headers=OFFICE)
    return console_over({"grid": grid, "education": education}, monkeypatch, tmp_path)


def signed_in(console, number: str):
    client = console.test_client()
    assert sign_in(client, number).status_code == 302
    return client


RECORD = {
    "unit_code": "JD",
    "student_ref": "2021010188",
    "student_name": "钱七",
    "class_name": "机电2101",
    "risk_level": "medium",
    "status": "following",
    "next_follow_up_on": "2031-11-20",
    "screening": "新生心理普查",
}


def test_the_psych_centre_keeps_its_ledger_through_the_pages(console):
    centre = signed_in(console, "P001")
    assert ">心理台账</a>" in text(centre.get("/"))
    assert "暂无记录" in text(centre.get("/psych/records"))

    missing = {**RECORD, "student_name": "", "risk_level": ""}
    refused = post(centre, "/psych/records/new", missing)
    assert refused.status_code == 422
    said = text(refused)
    assert 'id="e-r-name"' in said and 'id="e-r-risk"' in said
    assert 'value="2021010188"' in said and "新生心理普查" in said and 'value="2031-11-20"' in said

    made = post(centre, "/psych/records/new", RECORD)
    assert made.status_code == 302, text(made)
    listed = text(centre.get("/psych/records"))
    table = listed.split('id="psych-records"')[1].split("</table>")[0]
    assert "钱七" in table and "机电工程学院" in table and "中风险" in table
    assert 'data-label="风险等级"' in table and 'class="cards-phone"' in listed

    page = text(centre.get(made.location))
    assert "钱七" in page and "新生心理普查" in page and "尚无干预记录" in page
    add = made.location + "/interventions"
    empty = post(centre, add, {"i_happened_on": "2031-11-12", "i_measure": ""}, page=made.location)
    assert empty.status_code == 422
    assert 'id="e-i-measure"' in text(empty) and 'value="2031-11-12"' in text(empty)
    done = post(
        centre,
        add,
        {"i_happened_on": "2031-11-12", "i_measure": "谈心谈话", "i_by_name": "周心理"},
        page=made.location,
    )
    assert done.status_code == 302
    interventions = text(centre.get(made.location)).split('id="interventions"')[1]
    assert "谈心谈话" in interventions and "2031-11-12" in interventions

    changed = post(centre, made.location, {"risk_level": "high", "status": "referred"})
    assert changed.status_code == 302
    assert "高风险" in text(centre.get(made.location))

    log = text(centre.get("/psych/access-log"))
    entries = log.split('id="access-log"')[1]
    assert "周心理" in entries and "查看" in entries and "新建" in entries


def test_other_roles_see_no_entry_and_a_chinese_refusal(console):
    centre = signed_in(console, "P001")
    made = post(centre, "/psych/records/new", RECORD)
    record = made.location

    manager = signed_in(console, "J001")
    assert "心理台账" not in text(manager.get("/"))
    for path in ("/psych/records", record, "/psych/access-log"):
        refused = manager.get(path)
        assert refused.status_code == 403
        said = text(refused)
        assert "无权访问" in said and "钱七" not in said and "psych centre" not in said
    typed = post(manager, "/psych/records/new", RECORD, page="/education")
    assert typed.status_code == 403

    office = signed_in(console, "S001")
    home = text(office.get("/"))
    assert ">心理台账</a>" not in home and "心理台账访问记录" in home
    assert office.get("/psych/records").status_code == 403
    log = text(office.get("/psych/access-log"))
    assert "周心理" in log.split('id="access-log"')[1]
