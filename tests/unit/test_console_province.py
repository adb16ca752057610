"""The province console (CONSOLE_MODE=province, issue 19) over the province service in
process, with what three colleges sent: a province user signs in there and sees the
colleges with their latest figures, one college's tables, figures and major hazards, the
province's totals, the late and missing colleges per due date, the accountability flags,
and downloads the .xlsx; a campus account cannot sign in, and no campus page is there."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from services.province import create_app
from services.province.login import save_person
from services.province.queries import register_colleges
from shared.api import state
from shared.db import unit_of_work
from shared.migrations import upgrade
from tests.support.console import console_over
from tests.unit.test_province_ingest import apply, figures, message, table

PASSWORD = "Province-2021x"
COLLEGES = {"lzxd": "兰州现代职业学院", "gsjt": "甘肃交通职业技术学院", "lzzy": "兰州职业技术学院"}


def board(campus: str, due_on: date) -> bytes:
    data = {
        "campus_id": campus,
        "campaign": "LZXD-2021",
        "as_of": datetime(2021, 12, 1, tzinfo=UTC),
        "dues": [{"due_on": due_on, "units": 3, "submitted": 3, "late": 0, "missing": 0}],
    }
    return message("province.board", f"board:{campus}", 1, data)


def major_hazard(campus: str) -> bytes:
    data = {
        "campus_id": campus,
        "number": "YH-2021-00007",
        "category": "fire",
        "place": "3号学生公寓",
        "responsible_unit": "后勤处",
        "found_on": date(2021, 11, 2),
        "deadline": date(2021, 11, 20),
        "closed_on": None,
        "stage": "in_remediation",
    }
    return message("province.major_hazard", f"hazard:{campus}:7", 1, data)


@pytest.fixture
def province(tmp_path):
    url = f"sqlite:///{tmp_path / 'province.db'}"
    upgrade("province", url)
    app = create_app({"database_url": url, "amqp_url": "amqp://guest:guest@127.0.0.1:1/%2F"})
    with app.app_context(), unit_of_work(state().session_factory) as session:
        register_colleges(session, COLLEGES)
        save_person(session, "wang.li", "王丽", PASSWORD)
    due = date(2021, 11, 30)
    for body, sender in (
        (figures("lzxd", 1, found=10, closed=4), "lzxd"),
        (figures("gsjt", 1, found=6, closed=6), "gsjt"),
        (table("lzxd", due, late=False), "lzxd"),
        (table("gsjt", due, late=True), "gsjt"),
        (board("lzxd", due), "lzxd"),
        (major_hazard("lzxd"), "lzxd"),
    ):
        assert apply(app, sender, body)
    return app


@pytest.fixture
def console(province, monkeypatch, tmp_path):
    monkeypatch.setenv("CONSOLE_MODE", "province")
    return console_over({"province": province}, monkeypatch, tmp_path).test_client()


def csrf(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, login: str = "wang.li", password: str = PASSWORD):
    form = {"login": login, "password": password, "csrf_token": csrf(client), "next": "/"}
    return client.post("/login", data=form)


def page(client, path: str) -> str:
    reply = client.get(path)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:500]
    return reply.get_data(as_text=True)


def test_the_login_page_asks_for_a_province_account(console):
    text = page(console, "/login")
    assert "省教育厅账号" in text and "工号" not in text


def test_a_wrong_password_is_refused_in_chinese_and_keeps_the_account(console):
    reply = sign_in(console, password="Wrong-pass1")
    assert reply.status_code == 401
    text = reply.get_data(as_text=True)
    assert "账号或密码错误" in text and 'value="wang.li"' in text


def test_a_campus_account_cannot_sign_in_here(console):
    assert sign_in(console, login="T2021001", password="Campus-2021x").status_code == 401


def test_the_menu_shows_the_province_pages_only(console):
    assert sign_in(console).status_code == 302
    text = page(console, "/province/colleges")
    nav = text[text.index('class="nav-wide"') : text.index('class="nav-phone"')]
    assert re.findall(r">([^<>]+)</a></li>", nav) == ["院校", "全省汇总", "报送情况", "问责"]
    assert "王丽（省教育厅" in text and "修改密码" not in text
    assert console.get("/hazards").status_code == 404  # no campus page in this console
    assert console.get("/account/password").status_code == 404


def test_colleges_show_their_tables_and_latest_figures(console):
    sign_in(console)
    assert console.get("/").location.endswith("/province/colleges")
    text = page(console, "/province/colleges")
    row = text[text.index('id="college-lzxd"') :].split("</tr>")[0]
    assert "兰州现代职业学院" in row and "2021-11-01 至 2021-11-30" in row
    assert '<td data-label="累计发现">10</td>' in row
    assert '<td data-label="累计整改">4</td>' in row
    late = text[text.index('id="college-gsjt"') :].split("</tr>")[0]
    assert '<strong class="overdue">1</strong>' in late  # its one table came late
    silent = text[text.index('id="college-lzzy"') :].split("</tr>")[0]
    assert "尚未收到数据" in silent


def test_a_college_page_shows_its_tables_figures_and_major_hazards(console):
    sign_in(console)
    text = page(console, "/province/colleges/lzxd")
    assert "<h1>兰州现代职业学院</h1>" in text
    assert "报送截止日 2021-11-30" in text and "按时报送" in text
    assert '<td data-label="类别">消防安全</td>' in text  # the table's category, in Chinese
    hazards = text[text.index('id="major-hazards"') :]
    assert "YH-2021-00007" in hazards and "3号学生公寓" in hazards and "后勤处" in hazards
    assert '<td data-label="状态">整改中</td>' in hazards
    assert console.get("/province/colleges/nowhere").status_code == 404


def test_the_province_totals_add_up_the_colleges(console):
    sign_in(console)
    text = page(console, "/province/totals")
    total = text[text.index('id="province-total"') :].split("</tr>")[0]
    assert '<td data-label="累计发现">16</td>' in total
    assert '<td data-label="累计整改">10</td>' in total
    assert '<td data-label="累计整改率">62.5%</td>' in total
    assert "重大隐患共 1 项，未整改 1 项" in text


def test_the_dues_page_names_late_and_missing_colleges(console):
    sign_in(console)
    text = page(console, "/province/dues")
    row = text[text.index('id="due-2021-11-30"') :].split("</tr>")[0]
    on_time, late, missing = (
        row.split(f'data-label="{h}"')[1] for h in ("按时报送", "逾期报送", "未报送")
    )
    assert "兰州现代职业学院" in on_time.split("</td>")[0]
    assert "甘肃交通职业技术学院" in late.split("</td>")[0]
    assert "兰州职业技术学院" in missing.split("</td>")[0]


def test_the_flags_page_lists_the_province_flags(console):
    sign_in(console)
    text = page(console, "/province/flags")
    table_ = text[text.index('id="flags"') :]
    assert "逾期报送统计表" in table_ and "甘肃交通职业技术学院" in table_
    assert "未报送统计表" in table_ and "兰州职业技术学院" in table_
    assert "重大隐患逾期未整改" in table_ and "YH-2021-00007" in table_


def test_the_xlsx_downloads_with_chinese_headers(console):
    sign_in(console)
    assert 'href="/province/export.xlsx"' in page(console, "/province/totals")
    reply = console.get("/province/export.xlsx")
    assert reply.status_code == 200
    book = load_workbook(io.BytesIO(reply.data))
    assert book.sheetnames == ["各校汇总", "报送情况", "问责"]
    headers = [c.value for c in book["各校汇总"][3]]
    assert headers[:3] == ["学校", "统计期", "期初未整改"]


def test_signing_out_ends_the_province_session(console):
    sign_in(console)
    token_page = page(console, "/province/flags")
    token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)
    assert console.post("/logout", data={"csrf_token": token}).status_code == 302
    assert console.get("/province/flags").status_code == 302  # to the sign-in page


def test_empty_fields_are_asked_for_in_the_province_words(console):
    form = {"login": "", "password": "", "csrf_token": csrf(console), "next": "/"}
    reply = console.post("/login", data=form)
    assert reply.status_code == 422 and "请输入账号和密码" in reply.get_data(as_text=True)


def test_an_unknown_console_mode_stops_start_up(monkeypatch, tmp_path):
    monkeypatch.setenv("CONSOLE_MODE", "county")
    with pytest.raises(ValueError, match="CONSOLE_MODE"):
        console_over({}, monkeypatch, tmp_path)


def test_province_run_starts_the_api_the_worker_and_the_province_console():
    from services.province.cli import province_programs

    programs = province_programs({"X": "1"}, "0.0.0.0", "127.0.0.1", 5005, 5010, 2)
    by_name = {p.name: p for p in programs}
    assert set(by_name) == {"province.web", "province.worker", "province.console"}
    console = by_name["province.console"]
    assert "services.console:create_app()" in console.argv and "0.0.0.0:5010" in console.argv
    assert console.env["CONSOLE_MODE"] == "province"
    assert console.env["CONSOLE_PROVINCE_URL"] == "http://127.0.0.1:5005"
    assert "services.province:create_app()" in by_name["province.web"].argv
    assert by_name["province.worker"].argv[-2:] == ["-m", "services.province.worker"]
