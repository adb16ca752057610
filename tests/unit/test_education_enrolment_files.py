"""The education service's words for its codes (GET /labels) and an activity's sign-in
list as .xlsx (GET /activities/{id}/attendance.xlsx): unit names, who signed in when, and a
target unit's reader sees only their own people."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook

from shared.timeutil import utcnow
from tests.support.fixtures import bearer
from tests.unit.test_education_api import JD_MANAGER, SO, edu, ok  # noqa: F401

XX_READER = bearer("grid_staff", unit="XX", sub="xx-staff")


def test_labels_name_kinds_statuses_and_the_psych_vocabulary(edu):  # noqa: F811
    labels = ok(edu.get("/labels", headers=XX_READER))
    kinds = {item["code"]: item["label"] for item in labels["kinds"]}
    assert kinds["drill"] == "安全演练"
    assert {"code": "high", "label": "高风险"} in labels["risk_levels"]
    assert {"code": "fire", "label": "消防安全"} in labels["categories"]


def test_the_sign_in_list_as_xlsx(edu):  # noqa: F811
    now = utcnow()
    activity = ok(
        edu.post(
            "/activities",
            json={
                "kind": "lecture",
                "title": "消防知识讲座",
                "organiser_unit": "JD",
                "targets": [{"unit_code": "JD"}, {"unit_code": "XX"}],
                "venue": "报告厅",
                "starts_at": (now - timedelta(minutes=5)).isoformat(),
                "ends_at": (now + timedelta(hours=1)).isoformat(),
            },
            headers=JD_MANAGER,
        ),
        201,
    )
    people = [
        {"person_ref": "0210101", "name": "王小明", "unit_code": "JD", "class_name": "机电2101"},
        {"person_ref": "0310101", "name": "李小红", "unit_code": "XX"},
    ]
    path = f"/activities/{activity['id']}"
    ok(edu.post(f"{path}/enrolments", json={"people": people}, headers=SO))
    kiosk = bearer("kiosk", sub="kiosk-1")
    code = ok(edu.get(f"{path}/sign-in", headers=JD_MANAGER))["code"]
    checked = edu.post(
        f"{path}/check-in", json={"code": code, "person_ref": "0210101"}, headers=kiosk
    )
    assert checked.status_code == 200, checked.get_json()

    reply = edu.get(f"{path}/attendance.xlsx", headers=JD_MANAGER)
    assert reply.status_code == 200
    assert "attachment" in reply.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(reply.data)).active.iter_rows(values_only=True))
    assert "消防知识讲座" in rows[0][0]
    assert rows[1][:5] == ("序号", "学号/工号", "姓名", "单位", "班级")
    body = {row[1]: row for row in rows[2:]}
    assert body["0210101"][2:5] == ("王小明", "机电工程学院", "机电2101")
    assert body["0210101"][5] is not None  # signed in at the kiosk: the time
    assert body["0310101"][3] == "信息工程学院" and body["0310101"][5] is None

    mine = edu.get(f"{path}/attendance.xlsx", headers=XX_READER)
    own = list(load_workbook(io.BytesIO(mine.data)).active.iter_rows(values_only=True))
    assert [row[1] for row in own[2:]] == ["0310101"]


def _lecture(edu) -> str:  # noqa: F811
    now = utcnow()
    body = {
        "kind": "lecture",
        "title": "交通安全讲座",
        "organiser_unit": "JD",
        "targets": [{"unit_code": "JD"}],
        "venue": "小礼堂",
        "starts_at": (now + timedelta(days=2)).isoformat(),
        "ends_at": (now + timedelta(days=2, hours=1)).isoformat(),
    }
    return ok(edu.post("/activities", json=body, headers=JD_MANAGER), 201)["id"]


def _upload(edu, activity_id: str, text: str, name: str = "class.csv"):  # noqa: F811
    data = {"file": (io.BytesIO(text.encode("utf-8-sig")), name, "text/csv")}
    return edu.post(
        f"/activities/{activity_id}/enrolments/import",
        data=data,
        content_type="multipart/form-data",
        headers=JD_MANAGER,
    )


def test_a_class_list_enrols_everyone_or_nobody(edu):  # noqa: F811
    activity_id = _lecture(edu)
    bad = "学号,姓名,单位,班级\n0210101,王小明,机电工程学院,机电2101\n0210102,,机电工程学院,\n"
    bad += "0210103,赵六,不存在学院,\n"
    refused = _upload(edu, activity_id, bad)
    assert refused.status_code == 422
    rows = refused.get_json()["row_errors"]
    assert {"row": 3, "column": "姓名", "reason": "必填，不能为空"} in rows
    assert any(r["row"] == 4 and r["column"] == "单位" for r in rows)
    enrolled = ok(edu.get(f"/activities/{activity_id}/enrolments", headers=JD_MANAGER))
    assert enrolled == []  # nothing applied

    good = "学号,姓名,单位,班级\n0210101,王小明,机电工程学院,机电2101\n0210102,李四,JD,\n"
    assert ok(_upload(edu, activity_id, good))["enrolled"] == 2
    assert ok(_upload(edu, activity_id, good))["already_enrolled"] == 2  # again: no change
    listed = ok(edu.get(f"/activities/{activity_id}/enrolments", headers=JD_MANAGER))
    assert {(e["person_ref"], e["unit_code"], e["class_name"]) for e in listed} == {
        ("0210101", "JD", "机电2101"),
        ("0210102", "JD", None),
    }

    headless = _upload(edu, activity_id, "姓名\n王小明\n")
    assert headless.status_code == 422 and "学号/工号" in headless.get_json()["detail"]
    assert _upload(edu, activity_id, "x", name="class.txt").status_code == 415
