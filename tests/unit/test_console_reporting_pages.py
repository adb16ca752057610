"""The console's reporting pages against the real grid and reporting apps, in process: the
unit previews the table it would freeze and submits it after a confirmation; the security
office reminds (催报) a unit that has not submitted and downloads every submitted table at
once; the flags filtered by unit and period, decided several at a time (each result said)
and exported; 督查报告 written, refused beside the field with the text kept, and replaced;
the lists as cards on a phone, units by name."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from html import unescape

import pytest
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from services.reporting import commands
from services.reporting.work import api as work_api
from shared.api import state
from tests.support.console import console_over
from tests.support.fixtures import bearer

OFFICE = bearer("security_office", sub="so-setup")
UNITS = (
    ("JD", "机电工程学院", "college"),
    ("XX", "信息工程学院", "college"),
    ("BWC", "安全保卫处", "office"),
)
PEOPLE = (  # staff number, unit, roles
    ("S001", "BWC", ["security_office"]),
    ("J001", "JD", ["unit_manager"]),
    ("X001", "XX", ["unit_manager"]),
    ("B001", "BWC", ["lead_department"]),
)


@pytest.fixture
def apps(make_app):
    grid, reporting = make_app("grid"), make_app("reporting")
    with reporting.app_context(), state().session_factory() as session:
        commands.load_seed_campaign(session)
        session.commit()
    api = grid.test_client()
    for code, name, kind in UNITS:
        made = api.post("/units", json={"code": code, "name": name, "kind": kind}, headers=OFFICE)
        assert made.status_code == 201
    for number, unit, roles in PEOPLE:
        person = api.post(
            "/people",
            json={
                "name": f"{number}人",
                "phone": "13800000000",
                "unit_code": unit,
                "staff_no": number,
                "roles": roles,
            },
            headers=OFFICE,
        ).get_json()
        api.put(f"/people/{person['id']}/password", json={"password": "pass-1234"}, headers=OFFICE)
    return {"grid": grid, "reporting": reporting}


@pytest.fixture
def console(apps, monkeypatch, tmp_path):
    return console_over(apps, monkeypatch, tmp_path)


def csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def signed_in(console, login: str):
    client = console.test_client()
    form = {"login": login, "password": "pass-1234", "csrf_token": csrf(client, "/login")}
    assert client.post("/login", data=form).status_code == 302
    return client


def post(client, path: str, data, page: str):
    if isinstance(data, dict):
        data = {**data, "csrf_token": csrf(client, page)}
    else:  # a list of pairs: repeated names (checkboxes)
        data = MultiDict([*data, ("csrf_token", csrf(client, page))])
    return client.post(path, data=data)


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def follow(client, response) -> str:
    assert response.status_code == 302, text(response)[:2000]
    return text(client.get(response.location))


def campaign_of(apps) -> dict:
    return apps["reporting"].test_client().get("/campaigns", headers=OFFICE).get_json()[0]


def test_the_unit_previews_its_table_and_submits_it_after_a_confirmation(console, apps):
    campaign = campaign_of(apps)
    due = campaign["reporting_dues"][0]
    jd = signed_in(console, "J001")
    board = text(jd.get(f"/reporting/board?campaign={campaign['id']}&due={due['id']}"))
    assert 'class="cards-phone"' in board and 'data-label="单位">机电工程学院' in board
    preview = re.search(r'id="submit-JD" href="([^"]+)"', board).group(1)
    page = text(jd.get(preview))
    assert "校园安全专项整治工作隐患问题统计表" in page and "填报单位：机电工程学院" in page
    assert "尚未报送" in page and 'data-label="排查隐患数"' in page
    assert re.search(r'id="submit-table" data-confirm="确认报送机电工程学院的统计表', page)

    sent = post(
        jd,
        f"/reporting/campaigns/{campaign['id']}/dues/{due['id']}/submit",
        {"unit_code": "JD"},
        preview,
    )
    board = follow(jd, sent)
    assert "统计表已提交" in board and "已报送（逾期）" in board and 'id="submit-JD"' not in board
    frozen = text(jd.get(preview))
    assert "报送时冻结的统计表" in frozen and 'id="submit-table"' not in frozen


def test_the_office_reminds_a_late_unit_and_downloads_every_table(console, apps):
    campaign = campaign_of(apps)
    due = campaign["reporting_dues"][0]
    here = f"/reporting/board?campaign={campaign['id']}&due={due['id']}"
    xx = signed_in(console, "X001")
    post(
        xx,
        f"/reporting/campaigns/{campaign['id']}/dues/{due['id']}/submit",
        {"unit_code": "XX"},
        here,
    )
    office = signed_in(console, "S001")
    board = text(office.get(here))
    assert "逾期未报送" in board and 'id="remind-JD"' in board and 'id="remind-XX"' not in board
    assert 'id="submit-JD"' not in board  # the office is not the unit

    path = f"/reporting/campaigns/{campaign['id']}/dues/{due['id']}/remind"
    page = follow(office, post(office, path, {"unit_code": "JD"}, here))
    assert "已向机电工程学院催报（邮件和工作群）" in page
    again = follow(office, post(office, path, {"unit_code": "JD"}, here))
    assert "已向机电工程学院催报，请明天再催" in again and "当前状态不允许此操作" in again

    link = re.search(r'id="download-all" href="([^"]+)"', board).group(1)
    reply = office.get(link)
    assert reply.status_code == 200
    assert load_workbook(io.BytesIO(reply.get_data())).sheetnames == ["信息工程学院"]


def late_flags(apps) -> None:
    """Tables submitted after their dates (2021's): a 逾期报送 flag each."""
    campaign = campaign_of(apps)
    api = apps["reporting"].test_client()
    for unit in ("JD", "XX"):
        headers = bearer("unit_manager", unit=unit, sub=f"m-{unit}")
        for due in campaign["reporting_dues"][:2]:
            path = f"/campaigns/{campaign['id']}/dues/{due['id']}/submissions"
            assert api.post(path, json={"unit_code": unit}, headers=headers).status_code == 201


def test_flags_filtered_decided_together_with_each_result_and_exported(console, apps):
    late_flags(apps)
    office = signed_in(console, "S001")
    listed = text(office.get("/reporting/flags?status=all&unit_code=JD"))
    assert listed.count('name="flag_id"') == 2 and "信息工程学院：" not in listed
    assert '<option value="JD" selected>机电工程学院</option>' in listed
    assert 'type="date" id="fl-from" name="raised_from"' in listed
    ids = re.findall(r'name="flag_id" value="([^"]+)"', listed)
    none = text(office.get("/reporting/flags?status=all&raised_to=2021-12-31"))
    assert "共 0 条" in none and 'value="2021-12-31"' in none

    here = "/reporting/flags?status=all&unit_code=JD"
    path = "/reporting/flags/decisions?status=all&unit_code=JD"
    nothing = post(office, path, [("status", "confirmed"), ("reason", "逾期报送属实")], here)
    assert nothing.status_code == 422 and "请先勾选要认定的问责记录" in text(nothing)
    blank = post(
        office,
        path,
        [("flag_id", i) for i in ids] + [("status", "confirmed"), ("reason", " ")],
        here,
    )
    page = text(blank)
    assert blank.status_code == 422 and "成功 0 条，未成功 2 条" in page
    assert "所选记录均未认定" in page and 'aria-describedby="b-reason-error"' in page
    assert page.count(" checked") == 2 and 'value="confirmed" selected' in page

    mixed = [
        ("flag_id", ids[0]),
        ("flag_id", "00000000-0000-0000-0000-000000000000"),
        ("status", "confirmed"),
        ("reason", "逾期报送属实"),
    ]
    done = post(office, path, mixed, here)
    page = text(done)
    assert done.status_code == 200 and "成功 1 条，未成功 1 条" in page
    assert "机电工程学院：统计表逾期报送（报送日期 2021-1" in page and "）：已认定" in page
    assert page.index("批量认定结果") < page.index('id="fl-status"')  # on top, not under filters
    assert "（无法读取的问责记录）" in page

    export = office.get("/reporting/flags.xlsx?status=all&unit_code=JD")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.get_data())).active.iter_rows(values_only=True))
    assert rows[2][:3] == ("单位", "事由", "状态") and {r[0] for r in rows[3:]} == {"机电工程学院"}
    assert len(rows) == 5


def test_the_units_explanation_keeps_what_was_typed_beside_the_refusal(console, apps):
    late_flags(apps)
    jd = signed_in(console, "J001")
    other = jd.get("/reporting/flags?status=all&unit_code=XX")  # another unit's: refused
    assert other.status_code == 403 and 'aria-describedby="fl-unit-error"' in text(other)
    assert '<option value="XX" selected>信息工程学院</option>' in text(other)
    listed = text(jd.get("/reporting/flags?status=all"))
    flag = re.search(r'href="/reporting/flags/([0-9a-f-]{36})"', listed).group(1)
    here = f"/reporting/flags/{flag}"
    assert 'id="t-explain"' in text(jd.get(here))
    refused = post(jd, f"{here}/explanation", {"text": "   "}, here)
    assert refused.status_code == 422
    assert 'aria-invalid="true" aria-describedby="e-explain"' in text(refused)
    typed = "统计表报送当日系统故障，已补报"
    sent = post(jd, f"{here}/explanation", {"text": typed}, here)
    page = follow(jd, sent)
    assert "情况说明已提交" in page and typed in page


def test_supervision_reports_written_refused_beside_the_field_and_replaced(
    console, apps, monkeypatch
):
    # the reports' clock: before the first phase's reports lock (its deadline + 1 month)
    monkeypatch.setattr(work_api, "now", lambda: datetime(2021, 12, 1, 2, tzinfo=UTC))
    campaign = campaign_of(apps)
    phase = campaign["phases"][0]
    lead = signed_in(console, "B001")
    page = text(lead.get("/work/supervision"))
    assert "暂无督查报告" in page and 'id="s-findings"' in page
    assert '<option value="JD">机电工程学院</option>' in page and "安全保卫处</option>" not in page
    here = "/work/supervision"
    path = f"/work/supervision/{campaign['id']}"
    typed = {"phase_id": phase["id"], "unit_code": "JD", "findings": "消防通道畅通", "score": "120"}
    refused = post(lead, path, typed, here)
    page = text(refused)
    assert refused.status_code == 422 and 'aria-describedby="s-score-error"' in page
    assert "督查报告未保存" in page  # said on top too: the field may be below the fold
    assert (
        "消防通道畅通" in page and 'value="120"' in page and '<option value="JD" selected>' in page
    )

    saved = post(lead, path, {**typed, "score": "88"}, here)
    page = follow(lead, saved)
    assert "督查报告已保存" in page and 'data-label="学院">机电工程学院' in page
    assert 'data-label="督查部门">安全保卫处' in page and 'class="cards-phone"' in page
    report = re.search(r'href="(/work/supervision/[^"]+)"', page).group(1)
    changed = post(
        lead, report, {"findings": "复查：整改到位", "score": "92", "version": "1"}, report
    )
    page = follow(lead, changed)
    assert "督查报告已更新" in page and "复查：整改到位" in page
    stale = post(
        lead, report, {"findings": "旧版本上的修改", "score": "90", "version": "1"}, report
    )
    assert stale.status_code == 412 and "旧版本上的修改" in text(stale)

    monkeypatch.setattr(work_api, "now", lambda: datetime(2022, 1, 20, 2, tzinfo=UTC))
    locked = post(lead, report, {"findings": "锁定后的修改", "score": "90", "version": "2"}, report)
    assert locked.status_code == 409 and "锁定后的修改" in text(locked)
    assert 'aria-describedby="r-findings-error"' in text(locked)

    jd = signed_in(console, "J001")
    about = text(jd.get(report))
    assert "复查：整改到位" in about and 'id="r-findings"' not in about  # read, not edit
    assert 'aria-current="page">督查报告' in text(lead.get(report))  # its menu entry marked


def test_the_progress_matrix_is_cards_with_names(console):
    office = signed_in(console, "S001")
    page = text(office.get("/work/progress"))
    assert 'class="cards-phone"' in page and 'data-label="单位">机电工程学院' in page
    assert 'href="/work/supervision"' in page
    assert '<a href="/work/supervision">督查报告</a>' in page  # in the office's menu
    assert "督查报告</a>" not in text(signed_in(console, "J001").get("/reporting/board"))


def test_a_flags_page_says_on_top_when_a_step_was_refused_and_names_nobody_once(console, apps):
    """The flag's forms follow its facts and history (below the fold on a phone): a refused
    explanation or decision is said on top, with a link down to it. A flag naming no person
    says so once."""
    late_flags(apps)
    jd = signed_in(console, "J001")
    listed = text(jd.get("/reporting/flags?status=all"))
    flag = re.search(r'href="/reporting/flags/([0-9a-f-]{36})"', listed).group(1)
    here = f"/reporting/flags/{flag}"
    page = text(jd.get(here))
    assert 'id="flag-refused"' not in page
    who = page.split("<dt>责任人</dt><dd>")[1].split("</dd>")[0]
    assert who.count("网格中无当日负责人") == 1, who
    history = page.split("责任人：")[1].split("<")[0]
    assert history.count("网格中无当日负责人") == 1, history
    refused = post(jd, f"{here}/explanation", {"text": "   "}, here)
    assert refused.status_code == 422
    top = text(refused).split('id="flag-refused"')[1].split("</p>")[0]
    assert "未提交" in top and 'href="#h-explain"' in top
    office = signed_in(console, "S001")
    undecided = post(office, f"{here}/decision", {"status": "confirmed", "reason": ""}, here)
    assert undecided.status_code == 422
    top = text(undecided).split('id="flag-refused"')[1].split("</p>")[0]
    assert "认定未记录" in top and 'href="#h-decide"' in top
