"""The web console in a real headless Chromium (Debian's chromium + chromium-driver, driven
by Selenium), against the whole suite started as processes by the README's run command.

Acceptance (issue: web console):
- a grid safety officer signs in, reports a hazard from the QR page at a 390 px wide
  viewport with a photo, and sees it in the ledger; the unit manager moves it through
  remediation; another person (the lead department) accepts it; the security office
  closes it; the dashboard's numbers follow within 10 s;
- a unit manager sees no other unit's hazards in any page or download;
- every visited page renders without console errors and passes axe-core (no violation of
  the label and color-contrast rules, none serious or critical at all).

Screenshots of every visited page are saved under artifacts/console/ (gitignored).
Selenium Manager downloads nothing: the driver and the browser are Debian's.
"""

from __future__ import annotations

import io
import re
import shutil
import time
import urllib.parse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import browser_suite
from tests.support.browser import (
    Browser,
    axe_source,
    cli,
    photo_jpeg,
    seed,
)
from tests.support.browser import actions as _actions
from tests.support.fixtures import ROOT
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "artifacts" / "console"


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture
def suite(databases, amqp_url, tmp_path, chromium):
    """The README's run command, console included, on a free block of five ports."""
    with browser_suite(databases, amqp_url, tmp_path, ARTIFACTS) as running:
        yield running


# -- the test ---------------------------------------------------------------------------------
def test_console_in_chromium(suite, tmp_path):
    urls, env = suite
    started = time.monotonic()
    data = seed(urls, env)
    cells, other = data["cells"], data["other"]
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS / "shots", ignore_errors=True)
    shots = ARTIFACTS / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    browser = Browser(urls["console"], axe_source(tmp_path), shots)
    try:
        _grid_staff_reports_from_phone(browser, cells, tmp_path)
        number, hazard_path = browser.hazard_number, browser.hazard_path
        _manager_remediates(browser, hazard_path)
        _manager_sees_only_own_unit(browser, other, data)
        _lead_department_accepts(browser, hazard_path)
        # The campaign `run` seeded starts today (seed-campaign --demo): a fortnight on, the
        # due-date sweep flags the units that have not submitted their first table.
        after_first_due = datetime.now(UTC) + timedelta(days=15)
        cli(env, "sweep", "reporting", "--now", after_first_due.isoformat())
        _office_closes(browser, hazard_path, number)
    finally:
        (ARTIFACTS / "pages.txt").write_text(
            "\n".join(browser.checked + ["", "axe (moderate/minor):", *browser.notes]),
            encoding="utf-8",
        )
        browser.quit()
    assert time.monotonic() - started < 240


def _grid_staff_reports_from_phone(browser: Browser, cells: dict, tmp_path: Path) -> None:
    browser.phone()
    browser.go(f"/report?cell={cells['building']}")  # what the roster QR code opens
    assert browser.path.startswith("/login?next=")
    assert browser.driver.execute_script("return window.innerWidth") == 390
    browser.check("login-phone")
    browser.sign_in("JD101")
    assert browser.path == f"/report?cell={cells['building']}"
    assert "机电工程学院 / 1号教学楼" in browser.find("#place").text
    photo = browser.find("#photos")
    assert photo.get_attribute("accept") == "image/*"
    assert photo.get_attribute("capture") == "environment"
    browser.check("report-phone")
    assert browser.sideways() == 0, f"the report page scrolls sideways: {browser.widest()}"
    from selenium.webdriver.support.ui import Select

    Select(browser.find("#category")).select_by_value("fire")
    browser.fill("#description", "1号教学楼3层东侧灭火器压力不足")
    photo.send_keys(str(photo_jpeg(tmp_path / "extinguisher.jpg")))
    browser.click("#submit-report")
    assert "已上报隐患 YH-" in browser.text()
    browser.hazard_path = browser.path
    browser.hazard_number = re.search(r"YH-\d{4}-\d{5}", browser.find("h1").text).group(0)
    image = browser.find(".photos img")
    wait_until(
        lambda: browser.driver.execute_script("return arguments[0].naturalWidth", image) == 640,
        timeout=10,
        message="the photo shown on the hazard page",
    )
    assert browser.all("#no-actions"), "grid staff may not register a hazard"
    browser.check("hazard-reported-phone")
    browser.go("/hazards")
    assert browser.hazard_number in browser.text()
    browser.check("ledger-phone")
    browser.sign_out()
    browser.desktop()


def _manager_remediates(browser: Browser, hazard_path: str) -> None:
    browser.go("/")
    browser.sign_in("JD100")
    browser.wait_dashboard({"found": "1", "open": "1", "rate": "0.0%"})
    browser.check("dashboard-manager")
    browser.go(hazard_path)
    assert _actions(browser) == {"register"}
    browser.check("hazard-discovered")
    deadline = (date.today() + timedelta(days=14)).isoformat()
    browser.driver.execute_script(
        "document.getElementById('register-deadline').value = arguments[0]", deadline
    )
    browser.click("#action-register")
    assert "操作成功" in browser.text() and _actions(browser) == {"report"}
    browser.click("#action-report")
    assert _actions(browser) == {"start_remediation"}
    browser.fill("#sr-person", "李主任")
    browser.fill("#sr-measures", "更换过期灭火器，补充压力")
    browser.fill("#sr-plan", "临时增配灭火器并加强巡查")
    browser.click("#action-start_remediation")
    assert _actions(browser) == {"rectify"}
    browser.check("hazard-in-remediation")
    browser.fill("#rectify-evidence", "已更换 2 具灭火器")
    browser.click("#action-rectify")
    # The rectifier may not accept his own work: no accept/reject button for him.
    assert "待验收" in browser.find("#hazard-status").text
    assert _actions(browser) == set() and browser.all("#no-actions")
    browser.check("hazard-rectified-manager")
    assert [a.text for a in browser.all("#history li strong")] == [
        "上报",
        "登记评估",
        "报告",
        "开始整改",
        "整改完成",
    ]


def _manager_sees_only_own_unit(browser: Browser, other: dict, data: dict) -> None:
    """Still signed in as JD's manager: XX's hazard is on no page and in no download."""
    secret = (other["number"], other["description"], other["id"])

    def clean(body: str, where: str) -> None:
        for value in secret:
            assert value not in body, f"{where} shows another unit's hazard ({value})"

    pages = [
        ("ledger", "/hazards"),
        ("ledger-all-stages", "/hazards?status=discovered"),
        ("statistics", "/reporting/statistics"),
        ("statistics-category", "/reporting/statistics?group_by=category"),
        ("board", "/reporting/board"),
        ("flags", "/reporting/flags?status=all"),
        ("weekly", "/reporting/weekly"),
        ("phase-work", "/work"),
        ("monthly", "/reporting/monthly"),
        ("year-end", "/reporting/year-end"),
        ("grid-tree", "/grid"),
        ("grid-cell", f"/grid/cells/{data['cells']['building']}"),
        ("grid-gaps", "/grid/gaps"),
        ("calendar", "/education"),
        ("activity", f"/education/activities/{data['lecture']['id']}"),
        ("drills", "/education/drills"),
        ("password", "/account/password"),
        ("report-no-cell", "/report"),
    ]
    for name, path in pages:
        browser.go(path)
        clean(browser.driver.page_source, path)
        browser.check(name)
    browser.go("/hazards?q=" + urllib.parse.quote("宿舍门禁"))  # the other unit's words
    assert browser.find("#ledger-total").text == "0"
    browser.go(f"/hazards/{other['id']}")
    assert "无权访问" in browser.find("h1").text
    clean(browser.find("main").text, "the other unit's hazard page")
    browser.check("forbidden", status=403)
    # Downloads: the ledger and the statistics as .xlsx, the unit's statistics table.
    from openpyxl import load_workbook

    for path in (
        "/hazards/export.xlsx",
        "/reporting/statistics.xlsx",
        "/reporting/statistics.xlsx?group_by=category",
    ):
        status, headers, body = browser.fetch(path)
        assert status == 200 and "spreadsheetml" in headers["Content-Type"], (path, status)
        book = load_workbook(io.BytesIO(body))
        cells = " ".join(
            str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v
        )
        clean(cells, path)
        assert "信息工程学院" not in cells and " XX " not in f" {cells} ", path
    assert browser.fetch(f"/hazards/{other['id']}/notice.pdf")[0] == 403
    assert browser.fetch(f"/hazards/{other['id']}/acceptance.pdf")[0] == 403
    # Filters edited by hand name the other unit: refused, or nothing of it shown.
    browser.go("/hazards?unit_code=XX")
    clean(browser.driver.page_source, "/hazards?unit_code=XX")
    for path in ("/hazards/export.xlsx?unit_code=XX", "/reporting/statistics.xlsx?unit_code=XX"):
        status, headers, body = browser.fetch(path)
        if status == 200:
            book = load_workbook(io.BytesIO(body))
            cells = " ".join(
                str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v
            )
            clean(cells, path)
        else:
            assert status == 403, (path, status)
    assert browser.fetch("/grid/roster?unit_code=XX")[0] == 403
    status, headers, roster = browser.fetch("/grid/roster?unit_code=JD")
    assert status == 200 and "text/html" in headers["Content-Type"]
    assert f"{browser.base}/report?cell=" in roster.decode()  # QR codes open the console
    status, headers, pdf = browser.fetch(f"{browser.hazard_path}/notice.pdf")
    assert status == 200 and pdf.startswith(b"%PDF")
    # The projector page of the unit's lecture: a QR code and the sign-in code.
    browser.go(f"/education/activities/{data['lecture']['id']}/sign-in")
    code = browser.find("#sign-in-code").text
    assert browser.find("svg.qr") and len(code) == 6
    browser.check("projector")
    # What the QR code opens on a phone: the check-in page with the code filled in.
    browser.go(f"/education/activities/{data['lecture']['id']}/check-in?code={code}")
    assert browser.find("#code").get_attribute("value") == code
    browser.check("check-in")
    # The unit's submit button on the board (the demo campaign's first due date is ahead).
    browser.go("/reporting/board")
    browser.click("#submit-JD")  # the table it would freeze, shown before 报送
    assert "机电工程学院" in browser.text() and browser.all("#submit-table")
    browser.check("board-preview")
    browser.click("#submit-table")
    assert "统计表已提交" in browser.text() and not browser.all("#submit-JD")
    browser.check("board-submitted")
    browser.sign_out()


def _lead_department_accepts(browser: Browser, hazard_path: str) -> None:
    browser.go(hazard_path)
    browser.sign_in("BW200")
    assert browser.path == hazard_path
    assert _actions(browser) == {"accept", "reject"}
    browser.check("hazard-to-accept")
    browser.fill("#accept-comment", "复查合格")
    browser.click("#action-accept")
    assert "已验收" in browser.find("#hazard-status").text
    browser.sign_out()


def _office_closes(browser: Browser, hazard_path: str, number: str) -> None:
    browser.go("/login")
    browser.sign_in("BW001")
    browser.wait_dashboard({"found": "2", "open": "2"})
    browser.go(hazard_path)
    assert _actions(browser) == {"close"}
    browser.click("#action-close")
    assert "已销号" in browser.find("#hazard-status").text
    assert _actions(browser) == {"archive"}
    browser.check("hazard-closed")
    browser.wait_dashboard({"found": "2", "open": "1", "rate": "50.0%"})
    browser.check("dashboard-office")
    browser.go(f"/hazards?q={number}")
    assert browser.find("#ledger-total").text == "1"
    browser.check("ledger-office")
    browser.go("/reporting/flags")
    browser.check("flags-office")
    to_decide = [a.get_attribute("href") for a in browser.all("article.card p a.button")]
    if to_decide:  # a flag the office may decide: its page, the decision with a reason
        browser.driver.get(to_decide[0])
        browser.fill("#d-reason", "已约谈，限期整改")
        browser.click("form[action$='/decision'] button")
        assert "认定结果已记录" in browser.text()
        browser.check("flag-decided")
    browser.go("/grid")
    browser.check("grid-office")
    browser.sign_out()
    browser.check("signed-out")
