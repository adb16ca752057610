"""The submission board's tools in the reporting service: the table as JSON cell for cell as
the .xlsx (the console's preview before 报送), every submitted table of a due date in one
workbook, the security office's 催报 through the e-mail and robot outbox, the flags'
period filter and their export (SQLite, the 2021 seed campaign)."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from services.reporting import commands
from services.reporting.models import Notification, RobotMessage
from shared.api import state
from tests.support.fixtures import bearer

OFFICE = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
XX = bearer("unit_manager", unit="XX", sub="manager-XX")


@pytest.fixture
def app(make_app):
    app = make_app("reporting")
    with app.app_context(), state().session_factory() as session:
        commands.load_seed_campaign(session)
        session.commit()
    return app


@pytest.fixture
def api(app):
    return app.test_client()


def due_path(api) -> str:
    campaign = api.get("/campaigns", headers=OFFICE).get_json()[0]
    return f"/campaigns/{campaign['id']}/dues/{campaign['reporting_dues'][0]['id']}"


def rows_of(data: bytes, sheet: str | None = None) -> list[list]:
    book = load_workbook(io.BytesIO(data))
    return [list(r) for r in (book[sheet] if sheet else book.active).iter_rows(values_only=True)]


def test_the_table_as_json_is_the_xlsx_cell_for_cell(api):
    due = due_path(api)
    view = api.get(f"{due}/table/view?unit_code=JD", headers=JD)
    assert view.status_code == 200, view.get_json()
    table = view.get_json()
    assert table["submitted"] is False and table["unit_name"] == "机电工程学院"
    assert table["header"][:3] == ["序号", "隐患类别", "排查隐患数"]
    sheet = rows_of(api.get(f"{due}/table?unit_code=JD", headers=JD).get_data())
    assert sheet[2] == table["header"]
    assert [str(c) for c in sheet[-1] if c is not None] == [
        str(c) for c in table["totals"] if c not in ("", None)
    ]
    assert len(sheet) == 3 + len(table["rows"]) + 1
    assert api.get(f"{due}/table/view?unit_code=JD", headers=XX).status_code == 403

    assert api.post(f"{due}/submissions", json={"unit_code": "JD"}, headers=JD).status_code == 201
    frozen = api.get(f"{due}/table/view?unit_code=JD", headers=JD).get_json()
    assert frozen["submitted"] is True and frozen["submitted_at"]


def test_every_submitted_table_in_one_workbook_a_sheet_per_unit(api):
    due = due_path(api)
    empty = rows_of(api.get(f"{due}/tables.xlsx", headers=OFFICE).get_data())
    assert "尚无单位报送" in str(empty)
    for unit, headers in (("JD", JD), ("XX", XX)):
        assert api.post(f"{due}/submissions", json={"unit_code": unit}, headers=headers)
    reply = api.get(f"{due}/tables.xlsx", headers=OFFICE)
    assert reply.status_code == 200
    assert "filename*=UTF-8''" in reply.headers["Content-Disposition"]  # 隐患问题统计表-各单位-…
    book = load_workbook(io.BytesIO(reply.get_data()))
    assert book.sheetnames == ["机电工程学院", "信息工程学院"]
    assert "填报单位：信息工程学院" in rows_of(reply.get_data(), "信息工程学院")[1]
    own = load_workbook(io.BytesIO(api.get(f"{due}/tables.xlsx", headers=JD).get_data()))
    assert own.sheetnames == ["机电工程学院"]  # a unit reads its own table only


def test_the_office_reminds_a_unit_that_has_not_submitted(api, app):
    due = due_path(api)
    board = api.get(f"{due}/board", headers=OFFICE).get_json()
    xx = next(r for r in board["units"] if r["unit_code"] == "XX")
    assert xx["may_remind"] is True and xx["overdue"] is True  # 2021's dates have passed
    assert not api.get(f"{due}/board", headers=JD).get_json()["units"][0]["may_remind"]

    sent = api.post(f"{due}/reminders", json={"unit_code": "XX"}, headers=OFFICE)
    assert sent.status_code == 201, sent.get_json()
    assert sent.get_json()["unit_name"] == "信息工程学院" and sent.get_json()["email"] is True
    with app.app_context(), state().session_factory() as session:
        robot = session.scalars(select(RobotMessage)).one()
        mail = session.scalars(select(Notification)).one()
    assert robot.unit_code == "XX" and "尚未报送" in robot.title and "尽快报送" in robot.text
    assert mail.to_address == "xx@campus.example.edu.cn" and "【催报】" in mail.subject

    again = api.post(f"{due}/reminders", json={"unit_code": "XX"}, headers=OFFICE)
    assert again.status_code == 409 and "已向信息工程学院催报" in again.get_json()["detail"]
    assert api.post(f"{due}/reminders", json={"unit_code": "XX"}, headers=JD).status_code == 403
    api.post(f"{due}/submissions", json={"unit_code": "JD"}, headers=JD)
    done = api.post(f"{due}/reminders", json={"unit_code": "JD"}, headers=OFFICE)
    assert done.status_code == 409 and "无需催报" in done.get_json()["detail"]
    missing = api.post(f"{due}/reminders", json={"unit_code": "ZZ"}, headers=OFFICE)
    assert missing.status_code == 404


def test_flags_by_period_and_their_export_with_names(api):
    due = due_path(api)
    api.post(f"{due}/submissions", json={"unit_code": "JD"}, headers=JD)  # late: a flag
    flags = api.get("/flags", headers=OFFICE).get_json()
    assert [f["rule"] for f in flags] == ["late_submission"]
    day = flags[0]["raised_at"][:10]
    assert len(api.get(f"/flags?raised_from={day}&raised_to={day}", headers=OFFICE).get_json())
    assert api.get("/flags?raised_to=2021-12-31", headers=OFFICE).get_json() == []
    bad = api.get("/flags?raised_from=yesterday", headers=OFFICE)
    assert bad.status_code == 422

    reply = api.get("/flags/export.xlsx?status=open", headers=OFFICE)
    assert reply.status_code == 200
    assert quote("问责记录-") in reply.headers["Content-Disposition"]
    rows = rows_of(reply.get_data())
    assert rows[2][:4] == ["单位", "事由", "状态", "责任人"]
    assert rows[3][0] == "机电工程学院" and rows[3][1] == flags[0]["rule_label"]
    assert "报送期限" in rows[3][6]
    assert api.get("/flags/export.xlsx?unit_code=JD", headers=XX).status_code == 403
