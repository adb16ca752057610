"""The campaign's main flows through the console's pages alone, in a real headless Chromium,
against the whole suite started as processes by the README's run command.

Acceptance (issue 15, the whole campaign in the browser), beside test_console_roles.py:
- registers, grid staff on the phone (390x844): 日常巡查 → a place not yet inspected today →
  its checklist as taps, one item failed → the inspection names the hazard it opened, the
  hazard is in 隐患台账 and today's count of inspected places follows;
- reporting, on both sizes: the unit manager's table due on 我的待办 (phone) → the board →
  the frozen table's preview → 报送 (confirmed) → the board says submitted, the to-do no
  longer lists it; the security office (desk) sees it on the board and in 概览, reminds a
  late unit (催报); after the due dates the sweep flags the units that did not submit: the
  office filters the flags, decides two at once and downloads the list (.xlsx); the unit's
  manager explains its flag from 我的待办 on the phone;
- education, the security office at a desk (1366x768): a drill refused for a taken venue
  (the reason in Chinese beside the venue, everything typed kept), then scheduled, edited,
  a class list imported, its results with a problem recorded from 我的待办, the problem a
  hazard after the events, who enrolled listed and downloadable; coverage and, after the
  events, 统计报表 show it (with the inspection's hazard);
- every page visited: no console error, no serious/critical axe-core violation, a
  screenshot (artifacts/console-flows/), none wider than the screen.
"""

from __future__ import annotations

import io
import re
import shutil
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import browser_suite
from tests.e2e.test_console_roles import ENGLISH_SENTENCE
from tests.support.browser import Browser, axe_source, cli, seed, seed_flows
from tests.support.fixtures import ROOT
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "artifacts" / "console-flows"
DESK, PHONE = (1366, 768), (390, 844)
CAMPUS = ZoneInfo("Asia/Shanghai")  # the suite's campus time zone (the settings' default)
GRID_STAFF, MANAGER, OFFICE = "JD101", "JD100", "BW001"  # tests.support.browser.seed
DRILL = "2号宿舍楼消防疏散演练"


@pytest.fixture
def suite(databases, amqp_url, tmp_path, chromium):
    """The README's run command, console included, on a free block of five ports."""
    with browser_suite(databases, amqp_url, tmp_path, ARTIFACTS) as running:
        yield running


# -- the test ---------------------------------------------------------------------------------
def test_main_flows_in_chromium(suite, tmp_path):
    urls, env = suite
    started = time.monotonic()
    today = datetime.now(CAMPUS).date()
    seed(urls, env)
    flows = seed_flows(urls, env, today)
    dues = {d["due_on"]: d for d in flows["dues"]}
    late, next_due = (
        dues[(today - timedelta(days=3)).isoformat()],
        dues[(today + timedelta(days=2)).isoformat()],
    )
    shutil.rmtree(ARTIFACTS / "shots", ignore_errors=True)
    shots = ARTIFACTS / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    browser = Browser(urls["console"], axe_source(tmp_path), shots)
    try:
        # Registers: grid staff inspect their place on the phone.
        _sign_in(browser, GRID_STAFF, PHONE)
        inspected = _inspect_from_phone(browser)
        browser.sign_out()
        # Reporting: the unit's table from the manager's to-do, on the phone.
        _sign_in(browser, MANAGER, PHONE)
        _submit_table_from_phone(browser, next_due)
        browser.sign_out()
        # The office sees it, reminds a late unit; after the due dates, the flags.
        _sign_in(browser, OFFICE, DESK)
        _office_board(browser, next_due, late)
        after = datetime.combine(today + timedelta(days=4), datetime.min.time(), CAMPUS)
        cli(env, "sweep", "reporting", "--now", (after + timedelta(hours=9)).isoformat())
        _office_flags(browser)
        browser.sign_out()
        _sign_in(browser, MANAGER, PHONE)
        _explain_from_todo(browser)
        browser.sign_out()
        # Education: the office plans and records a drill at its desk.
        _sign_in(browser, OFFICE, DESK)
        problem = _drill_from_desk(browser, today, tmp_path)
        _coverage_and_statistics(browser, today, inspected, problem)
        browser.sign_out()
    finally:
        lines = [*browser.checked, "", "axe (moderate/minor):", *browser.notes]
        (ARTIFACTS / "pages.txt").write_text("\n".join(lines), encoding="utf-8")
        browser.quit()
    assert time.monotonic() - started < 240


# -- helpers ----------------------------------------------------------------------------------
def _sign_in(browser: Browser, login: str, size: tuple[int, int]) -> None:
    """Through the login page at this screen size; the landing page is 我的待办."""
    browser.viewport(*size)
    browser.go("/login")
    browser.sign_in(login)
    assert browser.path == "/", browser.path
    assert browser.find("h1").text == "我的待办"


def _look(browser: Browser, name: str, status: int = 200) -> None:
    """The page fits the screen (no sideways scroll) and passes browser.check."""
    over = browser.sideways()
    assert over <= 0, f"{name} ({browser.path}) scrolls sideways by {over}px: {browser.widest()}"
    browser.check(name, status)


def _todo(browser: Browser, kind: str, words: str) -> str | None:
    """The link of the 我的待办 card of KIND whose text holds WORDS (None: no such card)."""
    for card in browser.all("#todo-list li"):
        if kind in card.text and words in card.text:
            return card.find_element("css selector", "a").get_attribute("href")
    return None


def _press(browser: Browser, css: str) -> None:
    """Tap something that does not leave the page (a checkbox, a tap label)."""
    element = browser.find(css)
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    try:
        element.click()
    except Exception:  # an emulated phone may lose the node while scrolling: the DOM's click
        browser.driver.execute_script("arguments[0].click()", element)


def _href(browser: Browser, css: str) -> str:
    """A link's address as a path of the console (what Browser.fetch takes)."""
    return browser.find(css).get_attribute("href").removeprefix(browser.base)


def _choose(browser: Browser, css: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(browser.find(css)).select_by_value(value)


def _set(browser: Browser, css: str, value: str) -> None:
    """A date or time field's value, as its picker would set it."""
    script = "document.querySelector(arguments[0]).value = arguments[1]"
    browser.driver.execute_script(script, css, value)


# -- registers --------------------------------------------------------------------------------
def _inspect_from_phone(browser: Browser) -> str:
    """日常巡查 → 巡查 1号教学楼 → the checklist: the first item failed with a note, the others
    passed but the last, refused (the untapped item marked, every tap and the note kept);
    the last tapped → the inspection names its hazard; 隐患台账 lists it; today's count
    follows."""
    menu = {label: path for path, label in browser.menu()}
    browser.go(menu["日常巡查"])
    assert "已巡查 0 /" in browser.find("#h-today").text
    _look(browser, "grid_staff-phone-inspections")
    place = next(a for a in browser.all("#uninspected a") if "1号教学楼" in a.text)
    browser.driver.get(place.get_attribute("href"))
    assert "1号教学楼" in browser.find(".place").text
    _look(browser, "grid_staff-phone-inspect-pick")
    browser.click("#pick-form button[type=submit]")
    items = browser.all("#inspect-form .check-item")
    assert len(items) >= 2, browser.text()
    codes = [
        i.find_element("css selector", "input.tap-input")
        .get_attribute("name")
        .removeprefix("result-")
        for i in items
    ]
    _press(browser, f"label[for='r-{codes[0]}-fail']")
    browser.fill(f"#n-{codes[0]}", "东侧楼梯间灭火器压力表指针在红区")
    for code in codes[1:-1]:
        _press(browser, f"label[for='r-{code}-pass']")
    browser.click("#inspect-form button[type=submit]")
    assert "还有 1 项未选择检查结果" in browser.find("#inspect-refused").text
    assert browser.find(f"#e-res-{codes[-1]}").text == "请选择检查结果"
    assert browser.find(f"#r-{codes[0]}-fail").is_selected()
    assert all(browser.find(f"#r-{c}-pass").is_selected() for c in codes[1:-1])
    assert browser.find(f"#n-{codes[0]}").get_attribute("value").startswith("东侧楼梯间")
    main = browser.find("main").text
    assert not ENGLISH_SENTENCE.search(main), ENGLISH_SENTENCE.search(main).group(0)
    _look(browser, "grid_staff-phone-checklist-refused", status=422)
    _press(browser, f"label[for='r-{codes[-1]}-pass']")
    _look(browser, "grid_staff-phone-checklist-tapped", status=422)
    browser.click("#inspect-form button[type=submit]")
    assert "已记录巡查，不合格项已开具隐患 YH-" in browser.text(), browser.text()
    number = re.search(r"YH-\d{4}-\d{5}", browser.find("#opened-hazards").text).group(0)
    _look(browser, "grid_staff-phone-inspection")
    browser.driver.get(browser.driver.find_element("link text", number).get_attribute("href"))
    assert number in browser.find("h1").text
    _look(browser, "grid_staff-phone-hazard-from-inspection")
    browser.go(menu["隐患台账"])
    assert number in browser.text()
    _look(browser, "grid_staff-phone-ledger-with-inspection")
    browser.go(menu["日常巡查"])
    assert "已巡查 1 /" in browser.find("#h-today").text
    assert not any("1号教学楼" in a.text for a in browser.all("#uninspected a"))
    _look(browser, "grid_staff-phone-inspections-after")
    return number


# -- reporting --------------------------------------------------------------------------------
def _period(due: dict) -> str:
    return f"{due['period_start']} 至 {due['period_end']}"


def _submit_table_from_phone(browser: Browser, due: dict) -> None:
    """我的待办's 报送统计表 card → the board → 预览并报送 → the frozen table → 确认无误，报送."""
    _look(browser, "unit_manager-phone-todo-table-due")
    link = _todo(browser, "报送统计表", _period(due))
    assert link, browser.find("#todo-list").text
    browser.driver.get(link)
    assert browser.path.startswith("/reporting/board?"), browser.path
    assert f"报送日期 {due['due_on']}" in browser.text()
    _look(browser, "unit_manager-phone-board")
    browser.click("#submit-JD")
    assert "尚未报送" in browser.find("#table-state").text
    assert "机电工程学院" in browser.find("main").text
    _look(browser, "unit_manager-phone-preview")
    browser.click("#submit-table")  # its confirmation accepted
    assert "统计表已提交" in browser.text()
    assert not browser.all("#submit-JD")
    row = next(r for r in browser.all("#board tbody tr") if "机电工程学院" in r.text)
    assert "已报送" in row.text, row.text
    _look(browser, "unit_manager-phone-board-submitted")
    browser.go("/")
    assert _todo(browser, "报送统计表", _period(due)) is None
    _look(browser, "unit_manager-phone-todo-after")


def _office_board(browser: Browser, due: dict, late: dict) -> None:
    """报送情况: the unit's table submitted; 概览 counts one unit still to submit; the late
    due date's tab: both units 逾期未报送, 信息工程学院 reminded (催报)."""
    menu = {label: path for path, label in browser.menu()}
    browser.go(menu["报送情况"])
    assert f"报送日期 {due['due_on']}" in browser.text()
    rows = {
        r.find_element("css selector", "td").text: r.text for r in browser.all("#board tbody tr")
    }
    assert "已报送" in rows["机电工程学院"] and "未报送" in rows["信息工程学院"], rows
    assert browser.all("#download-all")
    _look(browser, "security_office-desk-board")
    status, headers, _ = browser.fetch(_href(browser, "#download-all"))
    assert status == 200 and "spreadsheetml" in headers["Content-Type"], status
    browser.go(menu["概览"])
    assert browser.find("#board-missing").text == "1"
    _look(browser, "security_office-desk-overview-board")
    browser.go(menu["报送情况"])
    tab = next(a for a in browser.all("nav.tabs a") if a.text == late["due_on"])
    browser.driver.get(tab.get_attribute("href"))
    rows = {
        r.find_element("css selector", "td").text: r.text for r in browser.all("#board tbody tr")
    }
    assert "逾期未报送" in rows["信息工程学院"], rows
    _look(browser, "security_office-desk-board-late")
    browser.click("#remind-XX")
    assert "已向信息工程学院催报（邮件和工作群）" in browser.text(), browser.text()
    _look(browser, "security_office-desk-board-reminded")


def _office_flags(browser: Browser) -> None:
    """问责记录 filtered to 信息工程学院's 统计表未报送 (two due dates missed): both decided at
    once, the page says so; the filtered list downloads as .xlsx."""
    menu = {label: path for path, label in browser.menu()}
    browser.go(menu["问责记录"])
    _look(browser, "security_office-desk-flags")
    _choose(browser, "#fl-unit", "XX")
    _choose(browser, "#fl-rule", "missing_submission")
    browser.click("form.filters button[type=submit]")
    cards = browser.all("article.card")
    assert len(cards) == 2 and all("信息工程学院：统计表未报送" in c.text for c in cards), [
        c.text for c in cards
    ]
    _look(browser, "security_office-desk-flags-filtered")
    status, headers, body = browser.fetch(_href(browser, "#flags-export"))
    assert status == 200 and "spreadsheetml" in headers["Content-Type"], status
    assert ".xlsx" in headers.get("Content-Disposition", ""), headers
    from openpyxl import load_workbook

    cells = [
        str(v)
        for ws in load_workbook(io.BytesIO(body))
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v
    ]
    assert "信息工程学院" in cells and "机电工程学院" not in cells, cells[:40]
    for box in browser.all("input[name=flag_id]"):
        _press(browser, f"#{box.get_attribute('id')}")
    _choose(browser, "#b-status", "confirmed")
    browser.fill("#b-reason", "两次未按期报送统计表，已约谈")
    browser.click("#bulk-decide")  # its confirmation accepted
    results = browser.find("#bulk-results").text
    assert "成功 2 条，未成功 0 条" in results, results
    _look(browser, "security_office-desk-flags-decided")


def _explain_from_todo(browser: Browser) -> None:
    """The unit's 统计表未报送 on 我的待办 → the flag's page → 提交情况说明 (blank: refused, said
    on top) → submitted; the card is gone."""
    link = _todo(browser, "提交情况说明", "统计表未报送")
    assert link, browser.find("#todo-list").text
    _look(browser, "unit_manager-phone-todo-flag")
    browser.driver.get(link)
    _look(browser, "unit_manager-phone-flag")
    browser.fill("#t-explain", "   ")  # only spaces: refused, said on top of the phone's page
    browser.click("form[action$='/explanation'] button[type=submit]")
    top = browser.find("#flag-refused")
    assert "未提交" in top.text and top.location["y"] < PHONE[1], top.location
    assert re.search(r"[\u4e00-\u9fff]", browser.find("#e-explain").text)
    _look(browser, "unit_manager-phone-flag-refused", status=422)
    browser.fill("#t-explain", "报送当日系统账号交接，统计表已于次日补报")
    browser.click("form[action$='/explanation'] button[type=submit]")
    assert "情况说明已提交" in browser.text()
    assert "报送当日系统账号交接" in browser.text()
    _look(browser, "unit_manager-phone-flag-explained")
    browser.go("/")
    assert _todo(browser, "提交情况说明", "统计表未报送") is None


# -- education --------------------------------------------------------------------------------
def _class_list(path: Path, unit: str = "信息工程学院") -> Path:
    """A class list as a college keeps it (its third row's unit: ``unit``)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["学号", "姓名", "单位", "班级"])
    for number, name, of in (
        ("2022020101", "周一鸣", "信息工程学院"),
        ("2022020102", "吴二娃", "信息工程学院"),
        ("2022020103", "郑三妹", unit),
    ):
        sheet.append([number, name, of, "信息2201"])
    book.save(path)
    return path


def _fill_activity(browser: Browser, day: date, start: str, end: str) -> None:
    _choose(browser, "#a-kind", "drill")
    _choose(browser, "#a-organiser", "XX")
    browser.fill("#a-title", DRILL)
    for box in browser.all("input[name=targets]"):
        if box.is_selected() != (box.get_attribute("value") == "XX"):
            _press(browser, f"input[name=targets][value='{box.get_attribute('value')}']")
    browser.fill("#a-venue", "2号宿舍楼前广场")
    _set(browser, "#a-day", day.isoformat())
    _set(browser, "#a-start", start)
    _set(browser, "#a-end", end)


def _drill_from_desk(browser: Browser, today: date, tmp_path: Path) -> str:
    """安全教育 → 新建活动: refused for the lecture holding the venue, then at 14:00; edited;
    a class list imported; its results with a problem from 我的待办; the problem's hazard."""
    activity_path = _schedule_drill(browser, today - timedelta(days=1))
    _enrol_class_list(browser, tmp_path)
    _coverage(browser, today, "未覆盖")
    return _record_drill_from_todo(browser, activity_path)


def _schedule_drill(browser: Browser, yesterday: date) -> str:
    """The drill refused for the lecture holding the venue (the reason beside the venue in
    Chinese, everything typed kept), then scheduled at 14:00 and edited; its page's path."""
    menu = {label: path for path, label in browser.menu()}
    browser.go(menu["安全教育"])
    _look(browser, "security_office-desk-calendar")
    browser.driver.get(browser.driver.find_element("link text", "新建活动").get_attribute("href"))
    _fill_activity(browser, yesterday, "10:00", "11:00")
    _look(browser, "security_office-desk-activity-new")
    browser.click("#activity-form button[type=submit]")
    top = browser.find("#activity-refused")  # the venue is at the fold: said on top
    assert "活动未安排" in top.text and top.location["y"] < DESK[1], top.location
    refused = browser.find("#e-a-venue").text
    assert "宿舍安全教育讲座" in refused and "占用" in refused, refused
    assert "时间冲突" in browser.find("#e-a-start").text
    for css, value in (("#a-title", DRILL), ("#a-venue", "2号宿舍楼前广场"), ("#a-start", "10:00")):
        assert browser.find(css).get_attribute("value") == value, css
    assert browser.find("input[name=targets][value='XX']").is_selected()
    main = browser.find("main").text
    assert not ENGLISH_SENTENCE.search(main), ENGLISH_SENTENCE.search(main).group(0)
    _look(browser, "security_office-desk-activity-venue-taken", status=409)
    _set(browser, "#a-start", "14:00")
    _set(browser, "#a-end", "15:00")
    browser.click("#activity-form button[type=submit]")
    assert f"已安排活动：{DRILL}" in browser.text(), browser.text()
    activity_path = browser.path
    _look(browser, "security_office-desk-activity")
    # Edited: its capacity and a word on what to bring.
    browser.driver.get(browser.driver.find_element("link text", "修改活动").get_attribute("href"))
    browser.fill("#a-capacity", "300")
    browser.fill("#a-description", "各班辅导员带队，湿毛巾自备")
    _look(browser, "security_office-desk-activity-edit")
    browser.click("#activity-form button[type=submit]")
    assert f"已修改活动：{DRILL}" in browser.text()
    assert "湿毛巾自备" in browser.text() and "300" in browser.find("dl.facts").text
    return activity_path


def _enrol_class_list(browser: Browser, tmp_path: Path) -> None:
    """On the activity's page: a class list with a unit nobody knows refused, its row named
    in Chinese and nobody enrolled; corrected, imported: the list of who signs in shows
    them, and downloads."""
    wrong = _class_list(tmp_path / "信息2201-有误.xlsx", unit="信息学院二分院")
    browser.find("#e-file-input").send_keys(str(wrong))
    browser.click("#import-form button[type=submit]")
    top = browser.find("#activity-refused")  # on top: the import form is below the fold
    assert "名单未导入" in top.text and top.location["y"] < DESK[1], top.location
    errors = browser.find("#row-errors").text
    assert "名单未导入" in errors and "第 4 行" in errors, errors
    assert "尚无报名人员" in browser.find("#enrolments").text
    main = browser.find("main").text
    assert not ENGLISH_SENTENCE.search(main), ENGLISH_SENTENCE.search(main).group(0)
    _look(browser, "security_office-desk-activity-list-refused", status=422)
    browser.find("#e-file-input").send_keys(str(_class_list(tmp_path / "信息2201.xlsx")))
    browser.click("#import-form button[type=submit]")
    assert "名单已导入：新报名 3 人" in browser.text(), browser.text()
    enrolled = browser.find("#enrolments").text
    assert all(n in enrolled for n in ("周一鸣", "吴二娃", "郑三妹")), enrolled
    assert "报名 3 人，已签到 0 人" in browser.text()
    _look(browser, "security_office-desk-activity-enrolled")
    sheet = browser.driver.find_element("link text", "下载签到名单（.xlsx）").get_attribute("href")
    status, headers, _ = browser.fetch(sheet.removeprefix(browser.base))
    assert status == 200 and "spreadsheetml" in headers["Content-Type"], status


def _record_drill_from_todo(browser: Browser, activity_path: str) -> str:
    """我的待办: the drill waits for its results; recorded there, with a problem found, which
    becomes a hazard after the events; the hazard's number."""
    browser.go("/")
    link = _todo(browser, "录入演练结果", DRILL)
    assert link, browser.find("#todo-list").text
    _look(browser, "security_office-desk-todo-drill")
    browser.driver.get(link)
    assert browser.path == activity_path
    browser.fill("#d-participants", "3")
    browser.fill("#d-seconds", "165")
    browser.fill("#d-observations", "疏散基本有序，二楼通道拥堵")
    _choose(browser, "#d-category", "fire")
    browser.fill("#d-description", "二楼疏散通道堆放杂物")
    _look(browser, "security_office-desk-drill-form")
    browser.click("#drill-form button[type=submit]")
    assert "演练结果已记录，发现的问题将转为隐患" in browser.text(), browser.text()
    assert "参演 3 人，疏散用时 165 秒" in browser.text()

    def converted() -> bool:
        browser.go(activity_path)
        return "已转隐患 YH-" in browser.text()

    wait_until(converted, timeout=20, interval=0.5, message="the drill's problem a hazard")
    number = re.search(r"已转隐患 (YH-\d{4}-\d{5})", browser.text()).group(1)
    assert "已举办" in browser.text()
    _look(browser, "security_office-desk-drill-recorded")
    browser.go("/")
    assert _todo(browser, "录入演练结果", DRILL) is None
    return number


def _coverage_and_statistics(browser: Browser, today: date, inspected: str, problem: str) -> None:
    """覆盖情况: 信息工程学院 has had a drill; 统计报表 (after the events): its hazard from
    the drill and 机电's from the inspection counted, the drill among its held activities."""
    _coverage(browser, today, "已覆盖")
    for number in (inspected, problem):
        browser.go(f"/hazards?q={number}")
        assert browser.find("#ledger-total").text == "1", number
        _look(browser, f"security_office-desk-ledger-{number}")

    def counted() -> bool:
        """Hazards found by unit as 信息 and 机电 should have them: 信息 the other unit's
        hazard of the seeding and the drill's, 机电 the inspection's; 信息's drill held."""
        browser.go("/reporting/statistics")
        found = {
            r.find_element("css selector", "th").text: r.find_element("css selector", "td").text
            for r in browser.all("#statistics-table tbody tr")
        }
        held = {
            r.find_elements("css selector", "td")[0].text: r.find_elements("css selector", "td")[
                1
            ].text
            for r in browser.all("#h-edu ~ div tbody tr")
        }
        return (found.get("机电工程学院"), found.get("信息工程学院")) == ("1", "2") and held.get(
            "信息工程学院", "0"
        )[:1] not in ("", "0")

    wait_until(counted, timeout=20, interval=0.5, message="统计报表 after the events")
    _look(browser, "security_office-desk-statistics-after")


def _coverage(browser: Browser, today: date, said: str) -> None:
    """覆盖情况 of drills since the day before yesterday: what it says of 信息工程学院."""
    browser.go("/education/coverage")
    _choose(browser, "#cv-kind", "drill")
    _set(browser, "#cv-from", (today - timedelta(days=2)).isoformat())
    browser.click("#coverage-form button[type=submit]")
    rows = {
        r.find_element("css selector", "td").text: r.text for r in browser.all("#coverage tbody tr")
    }
    assert said in rows["信息工程学院"], rows
    _look(browser, f"security_office-desk-coverage-{'after' if said == '已覆盖' else 'before'}")
