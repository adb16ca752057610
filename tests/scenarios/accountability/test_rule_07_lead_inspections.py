"""Rule 7 — lead departments inspect.

「各牵头部门要对各二级学院开展专项整治各环节工作进行督导检查，及时发现和解决问题」(四、第三
阶段) and 「定期开展科研、教学实验实训室安全检查」(三、(十), led by 教务处): a lead department
records inspections and reports hazards in any unit, for the categories it leads; each
hazard names the department that reported it (``reporter_unit``, in the API, the events and
the ledger export). Outside its categories it has no more rights than before.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.scenarios.accountability.hazard_world import BWC, JD, JWC, SO, Ledger


@pytest.fixture
def ledger(make_app, monkeypatch):
    ledger = Ledger(make_app("hazards"), monkeypatch)
    ledger.place("JD", "jd-lab-1", "机电工程学院实训楼化学实验室")
    return ledger


def checklist(ledger: Ledger, category: str) -> dict:
    [template] = ledger.client.get(f"/checklists?category={category}", headers=SO).get_json()
    return ledger.client.get(f"/checklists/{template['id']}", headers=SO).get_json()


def inspect(ledger: Ledger, category: str, who: dict, failed: str | None = None):
    template = checklist(ledger, category)
    results = [
        {"code": item["code"], "result": "fail" if item["code"] == failed else "pass"}
        | ({"note": "气瓶未固定"} if item["code"] == failed else {})
        for item in template["items"]
    ]
    body = {
        "template_id": template["id"],
        "cell_id": "jd-lab-1",
        "performed_at": "2021-11-20T09:30:00+08:00",
        "results": results,
    }
    return ledger.post("/inspections", body, who)


def test_the_laboratories_lead_inspects_a_college_s_lab_and_is_named_on_what_it_found(ledger):
    """教务处 (lead of 实验实训室危化品安全整治) checks 机电工程学院's laboratory: its
    inspection is recorded, the failed item opens a hazard in 机电工程学院 that names 教务处
    as the reporting department, seen by the college, announced and exported so."""
    template = checklist(ledger, "lab_chemicals")
    failed = template["items"][0]["code"]
    recorded = inspect(ledger, "lab_chemicals", JWC, failed=failed)
    assert recorded.status_code == 201, recorded.get_json()
    [number] = recorded.get_json()["hazard_numbers"]

    [hazard] = ledger.client.get("/hazards", headers=JD).get_json()
    assert hazard["number"] == number
    assert (hazard["unit_code"], hazard["reporter_unit"]) == ("JD", "JWC")
    assert hazard["category"] == "lab_chemicals" and hazard["found_by"] == "lead-JWC"
    [created] = ledger.events("hazard.created")
    assert created["data"]["reporter_unit"] == "JWC"

    export = ledger.client.get("/hazards/export.xlsx", headers=SO)
    sheet = load_workbook(io.BytesIO(export.data)).active
    header = [cell.value for cell in sheet[3]]
    row = [cell.value for cell in sheet[4]]
    assert row[header.index("报告单位")] == "教务处"


def test_a_lead_department_reports_in_any_unit_for_its_categories_only(ledger):
    """安全保卫处 leads 消防安全整治: it reports a fire hazard in 机电工程学院 (named the
    reporter), but not a laboratory one; 教务处 does not inspect fire safety there."""
    reported = ledger.post(
        "/hazards",
        {"unit_code": "JD", "category": "fire", "description": "宿舍楼灭火器过期"},
        BWC,
    )
    assert reported.status_code == 201, reported.get_json()
    assert reported.get_json()["reporter_unit"] == "BWC"

    outside = ledger.post(
        "/hazards",
        {"unit_code": "JD", "category": "lab_chemicals", "description": "试剂柜未上锁"},
        BWC,
    )
    assert outside.status_code == 403, outside.get_json()
    assert inspect(ledger, "fire", JWC).status_code == 403
    assert [h["reporter_unit"] for h in ledger.client.get("/hazards", headers=SO).get_json()] == [
        "BWC"
    ]


def test_what_a_unit_and_the_office_report_names_them(ledger):
    """The reporter is the reporting unit itself, or the security office (its unit code,
    CAMPUS_SECURITY_OFFICE_UNIT) for what the office reports."""
    assert ledger.report(JD)["reporter_unit"] == "JD"
    assert ledger.report(SO)["reporter_unit"] == "BWC"
