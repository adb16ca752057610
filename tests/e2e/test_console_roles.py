"""Every role's work in a real headless Chromium, on a desk (1366x768) and on a phone
(390x844), against the whole suite started as processes by the README's run command.

Acceptance (issue 15, the whole campaign in the browser):
- each role (security office, unit manager, grid staff, lead department, psych centre)
  signs in through the login page, lands on 我的待办 and visits every page of its menu,
  read from the rendered navigation (pages added later are covered without editing this);
- the hazard loop through the pages alone: grid staff report from the phone, the unit
  manager takes it from 我的待办 through remediation, the lead department accepts it from
  its to-do on the phone, the security office closes it and sees 概览's numbers follow;
- every visited page: no console error, no serious/critical axe-core violation, a
  screenshot (artifacts/console-roles/); at 390 px no page is wider than the screen
  (the document's scroll width), at 1366 px neither.
"""

from __future__ import annotations

import re
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import browser_suite
from tests.support.browser import (
    PASSWORD,
    Browser,
    actions,
    axe_source,
    cli,
    http,
    ok,
    photo_jpeg,
    seed,
)
from tests.support.fixtures import ROOT
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "artifacts" / "console-roles"
DESK, PHONE = (1366, 768), (390, 844)
# Sign-in names of the seeded people (tests.support.browser.seed, plus the psych centre's).
LOGINS = {
    "grid_staff": "JD101",
    "unit_manager": "JD100",
    "lead_department": "BW200",
    "security_office": "BW001",
    "psych_centre": "XL001",
}
# What each role's menu holds at least (other pages come and go with the console's menu).
MENU_HAS = {
    "grid_staff": {"我的待办", "隐患台账", "上报隐患"},
    "unit_manager": {"我的待办", "概览", "隐患台账", "统计报表", "管理"},
    "lead_department": {"我的待办", "概览", "隐患台账", "统计报表"},
    "security_office": {"我的待办", "概览", "隐患台账", "统计报表", "年终考核", "管理"},
    "psych_centre": {"我的待办", "安全教育", "心理台账"},
}
MENU_LACKS = {  # a menu by role: grid staff and the psych centre see only their own work
    "grid_staff": {"概览", "统计报表", "管理", "年终考核", "心理台账"},
    "psych_centre": {"隐患台账", "上报隐患", "管理", "年终考核"},
    "unit_manager": {"心理台账", "年终考核"},
}


@pytest.fixture
def suite(databases, amqp_url, tmp_path, chromium):
    """The README's run command, console included, on a free block of five ports."""
    with browser_suite(databases, amqp_url, tmp_path, ARTIFACTS) as running:
        yield running


def seed_psych_centre(urls: dict[str, str], env: dict[str, str]) -> None:
    """The psych centre's unit and one of its staff who signs in."""
    office = cli(env, "token", "--sub", "seed-office", "--role", "security_office")
    grid = urls["grid"]
    unit = {"code": "XLZX", "name": "心理健康教育中心", "kind": "office"}
    ok(http("POST", f"{grid}/units", office, unit))
    body = {
        "name": "吴心语",
        "phone": "13800000006",
        "unit_code": "XLZX",
        "staff_no": LOGINS["psych_centre"],
        "roles": ["psych_centre"],
    }
    person = ok(http("POST", f"{grid}/people", office, body))
    password = {"password": PASSWORD}
    ok(http("PUT", f"{grid}/people/{person['id']}/password", office, password), 204)


# -- the test ---------------------------------------------------------------------------------
def test_every_role_in_chromium(suite, tmp_path):
    urls, env = suite
    started = time.monotonic()
    seed(urls, env)
    seed_psych_centre(urls, env)
    shutil.rmtree(ARTIFACTS / "shots", ignore_errors=True)
    shots = ARTIFACTS / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    browser = Browser(urls["console"], axe_source(tmp_path), shots)
    visited: dict[str, list[str]] = {}
    problems: list[str] = []
    try:
        # Grid staff: the report from the phone, then their menu on a desk.
        _sign_in(browser, "grid_staff", PHONE)
        visited["grid_staff@390"] = _walk(browser, "grid_staff", "phone", problems)
        hazard_path, number = _report_from_phone(browser, tmp_path)
        browser.sign_out()
        _sign_in(browser, "grid_staff", DESK)
        visited["grid_staff@1366"] = _walk(browser, "grid_staff", "desk", problems)
        browser.sign_out()
        # Unit manager: from 我的待办 to the hazard, through remediation, on a desk.
        _sign_in(browser, "unit_manager", DESK)
        _open_from_todo(browser, hazard_path, "登记评估")
        _remediate(browser)
        visited["unit_manager@1366"] = _walk(browser, "unit_manager", "desk", problems)
        browser.sign_out()
        _sign_in(browser, "unit_manager", PHONE)
        visited["unit_manager@390"] = _walk(browser, "unit_manager", "phone", problems)
        browser.sign_out()
        # Lead department: accepts it from its to-do, on the phone.
        _sign_in(browser, "lead_department", PHONE)
        _open_from_todo(browser, hazard_path, "验收")
        _accept(browser)
        visited["lead_department@390"] = _walk(browser, "lead_department", "phone", problems)
        browser.sign_out()
        _sign_in(browser, "lead_department", DESK)
        visited["lead_department@1366"] = _walk(browser, "lead_department", "desk", problems)
        browser.sign_out()
        # Security office: closes it; the ledger and, after the events, 概览 follow.
        _sign_in(browser, "security_office", DESK)
        browser.wait_dashboard({"found": "2", "open": "2"}, timeout=20)
        browser.go("/")
        _open_from_todo(browser, hazard_path, "销号")
        _close(browser, number)
        _refused_form_keeps_what_was_typed(browser)
        _dates_in_chinese(browser)
        visited["security_office@1366"] = _walk(browser, "security_office", "desk", problems)
        browser.sign_out()
        _sign_in(browser, "security_office", PHONE)
        visited["security_office@390"] = _walk(browser, "security_office", "phone", problems)
        visited["security_office@390 deeper"] = _deeper(browser, "security_office", problems)
        _charts_readable_on_phone(browser)
        browser.sign_out()
        # Psych centre: a record of the psych ledger made on the phone, then its menu.
        for size, tag in ((PHONE, "phone"), (DESK, "desk")):
            _sign_in(browser, "psych_centre", size)
            if tag == "phone":
                _psych_record_from_phone(browser)
            visited[f"psych_centre@{size[0]}"] = _walk(browser, "psych_centre", tag, problems)
            browser.sign_out()
    finally:
        lines = [f"{who}: {' '.join(pages)}" for who, pages in visited.items()]
        lines += ["", *browser.checked, "", "axe (moderate/minor):", *browser.notes]
        (ARTIFACTS / "pages.txt").write_text("\n".join(lines), encoding="utf-8")
        browser.quit()
    assert not problems, "\n".join(problems)
    assert len(visited) == 11
    assert time.monotonic() - started < 300


# -- steps ------------------------------------------------------------------------------------
def _sign_in(browser: Browser, role: str, size: tuple[int, int]) -> None:
    """Through the login page at this screen size; the landing page is 我的待办."""
    browser.viewport(*size)
    browser.go("/login")
    width = "return document.documentElement.clientWidth"
    assert browser.driver.execute_script(width) == size[0]
    browser.sign_in(LOGINS[role])
    assert browser.path == "/", browser.path
    assert browser.find("h1").text == "我的待办"


def _walk(browser: Browser, role: str, tag: str, problems: list[str]) -> list[str]:
    """Every page of the rendered menu (我的待办 first): each checked (axe, console,
    screenshot) and none wider than the screen; a page's problem is noted in PROBLEMS and
    the walk goes on, so one run names them all."""
    menu = browser.menu()
    labels = {label for _, label in menu}
    assert menu[0] == ("/", "我的待办"), menu
    assert MENU_HAS[role] <= labels, (role, labels)
    assert not MENU_LACKS.get(role, set()) & labels, (role, labels)
    if tag == "phone":
        _menu_on_phone(browser, f"{role}-{tag}-menu", menu[1][0])
    else:
        assert browser.find(".nav-wide").is_displayed()
        assert not browser.find(".nav-phone").is_displayed()
        _menu_on_desk(browser, f"{role}-{tag}-menu")
    for path, label in menu:
        if browser.path != path:
            browser.go(path)
        name = f"{role}-{tag}-{label}"
        try:
            assert browser.path.split("?")[0].startswith(path), (label, path, browser.path)
            _fits(browser, name)
            browser.check(name)
            current = browser.all("nav[aria-label='主导航'] a[aria-current='page']")
            assert any(a.get_attribute("href").endswith(path) for a in current), (
                f"{name}: the menu does not mark the current page"
            )
        except AssertionError as exc:
            problems.append(str(exc))
    return [path for path, _ in menu]


# Links not followed one level below the menu: downloads, the sign-out, printouts.
NOT_PAGES = re.compile(r"\.(xlsx|pdf|ics|csv|zip)\b|/file\b|/attachments/|/logout|/roster")
DEEPER_PAGES = 30  # pages at most one link below the menu (the whole test stays ~4 min)


def _deeper(browser: Browser, role: str, problems: list[str]) -> list[str]:
    """On the phone, one link below each menu page: the first link of each kind of page
    (a hazard, a place, an activity, a unit's table...), checked as the menu's pages are."""
    seen: set[str] = set()
    pages: list[str] = []
    menu = [path for path, _ in browser.menu()]
    for path in menu:
        browser.go(path)
        for link in browser.all("main a[href^='/']"):
            href = link.get_attribute("href").removeprefix(browser.base)
            kind = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+|(?<=/units/)\w+", "N", href.split("?")[0])
            if kind in seen or kind in menu or NOT_PAGES.search(href):
                continue
            seen.add(kind)
            pages.append(href)
    for href in pages[:DEEPER_PAGES]:
        status, headers, _ = browser.fetch(href)
        if status != 200 or not headers.get("Content-Type", "").startswith("text/html"):
            continue  # a download or a page this role is refused: not a page to look at
        browser.go(href)
        name = f"{role}-phone-deeper-{len(browser.checked)}"
        try:
            _fits(browser, name)
            browser.check(name)
        except AssertionError as exc:
            problems.append(str(exc))
    return pages[:DEEPER_PAGES]


def _menu_on_desk(browser: Browser, name: str) -> None:
    """On a desk the menu is one line (the office's thirty pages in sections); a section's
    button opens its pages below it."""
    height = browser.driver.execute_script(
        "return document.querySelector('.nav-wide').getBoundingClientRect().height"
    )
    assert height < 60, f"{name}: the menu takes {height}px (more than one line)"
    sections = browser.all(".nav-wide .nav-group summary")
    if not sections:
        return
    sections[0].click()
    first = ".nav-wide .nav-group details[open] a"
    wait_until(lambda: browser.find(first).is_displayed(), timeout=5, message=f"{name} open")
    browser.check(name)
    sections[0].click()  # closed again, as it was


def _menu_on_phone(browser: Browser, name: str, path: str) -> None:
    """On a phone the menu is one 菜单 button above the page: tapped, it opens the role's
    entries (checked open), and an entry taps through to its page."""
    assert not browser.find(".nav-wide").is_displayed()
    summary = browser.find(".nav-phone summary")
    top = browser.driver.execute_script(
        "return arguments[0].getBoundingClientRect().bottom", summary
    )
    assert top < 200, f"{name}: the menu button ends {top}px down the screen"
    summary.click()
    entry = f".nav-phone a[href='{path}']"
    wait_until(lambda: browser.find(entry).is_displayed(), timeout=5, message=f"{name} open")
    _fits(browser, name)
    browser.check(name)
    browser.click(entry)
    assert browser.path.split("?")[0] == path, (name, browser.path)


def _fits(browser: Browser, name: str) -> None:
    over = browser.sideways()
    assert over <= 0, f"{name} ({browser.path}) scrolls sideways by {over}px: {browser.widest()}"


def _open_from_todo(browser: Browser, hazard_path: str, kind: str) -> None:
    """The hazard's card on 我的待办 (its step named), one tap to the hazard."""
    assert browser.path == "/"
    link = f"#todo-list a[href='{hazard_path}']"
    wait_until(
        lambda: browser.go("/") or browser.all(link),
        timeout=10,
        interval=0.5,
        message=f"{hazard_path} on 我的待办",
    )
    card = browser.driver.execute_script("return arguments[0].closest('li')", browser.find(link))
    assert kind in card.text, card.text
    _fits(browser, "todo-with-step")
    browser.check("todo-with-step")
    browser.click(link)
    assert browser.path == hazard_path


def _report_from_phone(browser: Browser, tmp_path: Path) -> tuple[str, str]:
    """On the phone: 网格 → the place the grid staff member holds → 在此地点上报隐患, with
    a photo; then the hazard's page, and the hazard in 隐患台账."""
    menu = {label: path for path, label in browser.menu()}
    browser.go(menu["网格"])
    _tap(browser, "1号教学楼")
    _tap(browser, "在此地点上报隐患")
    assert browser.path.startswith("/report?cell=")
    assert "1号教学楼" in browser.find("#place").text
    from selenium.webdriver.support.ui import Select

    Select(browser.find("#category")).select_by_value("fire")
    _complete_selects(browser, "form.report-form")
    browser.fill("#description", "1号教学楼二层配电箱门未关闭，内部线路裸露")
    browser.fill("#location", "二层东侧配电间")
    # The photo field speaks Chinese in this browser whose form controls are English: the
    # native "Choose File" button is out of sight; a 选择照片 button, then the chosen name,
    # show instead.
    field = browser.find("#photos")
    assert field.size["width"] <= 1 and browser.find("label.file-pick").text == "选择照片"
    assert browser.find(".file-chosen").text == "未选择照片"
    field.send_keys(str(photo_jpeg(tmp_path / "panel.jpg")))
    assert browser.find(".file-chosen").text == "已选择：panel.jpg"
    _fits(browser, "report-filled")
    browser.check("grid_staff-phone-report-filled")
    browser.click("#submit-report")
    assert "已上报隐患 YH-" in browser.text()
    number = re.search(r"YH-\d{4}-\d{5}", browser.find("h1").text).group(0)
    hazard_path = browser.path
    _fits(browser, "hazard-reported")
    browser.check("grid_staff-phone-hazard-reported")
    browser.go(menu["隐患台账"])
    assert number in browser.text()
    return hazard_path, number


def _tap(browser: Browser, text: str) -> None:
    """Follow the link whose text contains TEXT (the first one), as a finger does."""
    link = browser.driver.find_element("partial link text", text)
    browser.driver.get(link.get_attribute("href"))


def _complete_selects(browser: Browser, form: str) -> None:
    """A required choice left empty (a sub-category, a person) takes its first option."""
    from selenium.webdriver.support.ui import Select

    for select in browser.all(f"{form} select[required]"):
        if not select.get_attribute("value") and select.is_displayed():
            values = [o.get_attribute("value") for o in Select(select).options]
            Select(select).select_by_value(next(v for v in values if v))


def _put(browser: Browser, css: str, value: str) -> None:
    """Type VALUE into a field, or, when the field is a choice, pick the option naming it
    (or else the first one): pages may turn a free text into a list of people."""
    from selenium.webdriver.support.ui import Select

    element = browser.find(css)
    if element.tag_name == "select":
        options = Select(element).options
        chosen = next((o for o in options if value in o.text), None) or next(
            o for o in options if o.get_attribute("value")
        )
        Select(element).select_by_value(chosen.get_attribute("value"))
    elif element.get_attribute("type") == "date":
        script = "document.querySelector(arguments[0]).value = arguments[1]"
        browser.driver.execute_script(script, css, value)
    else:
        browser.fill(css, value)


def _remediate(browser: Browser) -> None:
    """The unit manager: 登记评估, 报告, 落实整改, 整改完成 — each on the hazard's page."""
    assert actions(browser) == {"register"}
    browser.check("unit_manager-desk-hazard-to-register")
    _put(browser, "#register-deadline", (date.today() + timedelta(days=14)).isoformat())
    browser.click("#action-register")
    assert "操作成功" in browser.text() and actions(browser) == {"report"}
    browser.click("#action-report")
    assert "start_remediation" in actions(browser)
    _put(browser, "#sr-person", "李主任")
    _put(browser, "#sr-measures", "关闭配电箱门并加锁，更换破损线路")
    _put(browser, "#sr-plan", "设置警示标识，专人看护")
    browser.click("#action-start_remediation")
    assert actions(browser) == {"rectify"}
    browser.check("unit_manager-desk-hazard-in-remediation")
    _put(browser, "#rectify-evidence", "配电箱已加锁，线路已更换")
    browser.click("#action-rectify")
    assert "待验收" in browser.find("#hazard-status").text


def _accept(browser: Browser) -> None:
    """The lead department accepts the rectified hazard, on the phone."""
    assert actions(browser) == {"accept", "reject"}
    _fits(browser, "hazard-to-accept")
    browser.check("lead_department-phone-hazard-to-accept")
    _put(browser, "#accept-comment", "复查合格")
    browser.click("#action-accept")
    assert "已验收" in browser.find("#hazard-status").text
    _fits(browser, "hazard-accepted")


def _close(browser: Browser, number: str) -> None:
    """The security office closes it: the ledger shows it closed, and 概览's numbers
    follow once reporting has the events."""
    assert "close" in actions(browser)
    browser.click("#action-close")
    assert "已销号" in browser.find("#hazard-status").text
    browser.check("security_office-desk-hazard-closed")
    browser.go(f"/hazards?q={number}")
    assert browser.find("#ledger-total").text == "1" and "已销号" in browser.text()
    browser.wait_dashboard({"found": "2", "open": "1", "rate": "50.0%"}, timeout=20)
    browser.check("security_office-desk-overview-after-close")
    browser.go("/")


# Three or more English words in a row: a service's sentence that was not put into Chinese.
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,.;:'-]+[A-Za-z]{2,}){2,}")


def _refused_form_keeps_what_was_typed(browser: Browser) -> None:
    """A person whose phone number the grid refuses, then whose staff number is taken: each
    time the form comes back with every typed value, the reason beside its field in Chinese,
    and no English sentence anywhere on the page."""
    from selenium.webdriver.support.ui import Select

    browser.go("/admin/people/new")
    typed = {"#p-name": "赵六", "#p-phone": "12345", "#p-staff": LOGINS["unit_manager"]}
    for css, value in typed.items():
        browser.fill(css, value)
    Select(browser.find("#p-unit")).select_by_value("JD")
    for refused_field, phone, status in (
        ("#p-phone", "12345", 422),
        ("#p-staff", "13912345678", 409),
    ):
        browser.fill("#p-phone", phone)
        typed["#p-phone"] = phone
        browser.click("#person-form button[type=submit]")
        for css, value in typed.items():
            assert browser.find(css).get_attribute("value") == value, (css, browser.path)
        assert Select(browser.find("#p-unit")).first_selected_option.get_attribute("value") == "JD"
        error = browser.find(f"#e-{refused_field[1:]}").text
        assert re.search(r"[\u4e00-\u9fff]", error), error
        main = browser.find("main").text
        assert not ENGLISH_SENTENCE.search(main), ENGLISH_SENTENCE.search(main).group(0)
        browser.check(f"person-refused-{refused_field[3:]}", status=status)


def _charts_readable_on_phone(browser: Browser) -> None:
    """概览's bar charts on a 390 px phone: their labels drawn at 12 px or more."""
    menu = {label: path for path, label in browser.menu()}
    browser.go(menu["概览"])
    heights = browser.driver.execute_script(
        "return [...document.querySelectorAll('svg.chart text')]"
        ".map(t => t.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 12, heights


def _dates_in_chinese(browser: Browser) -> None:
    """This browser's form controls are English (mm/dd/yyyy) whatever --lang says: the
    date field's label says the order in Chinese (年-月-日)."""
    menu = {label: path for path, label in browser.menu()}
    browser.go(menu["统计报表"])
    assert browser.find("label[for='s-from']").text == "发现日期自（年-月-日）"


def _psych_record_from_phone(browser: Browser) -> None:
    """心理台账 → 新建记录 → the form → the record's page; the ledger lists it as a card."""
    menu = {label: path for path, label in browser.menu()}
    browser.go(menu["心理台账"])
    _tap(browser, "新建记录")
    _put(browser, "#r-unit", "机电工程学院")
    _put(browser, "#r-ref", "2021010188")
    _put(browser, "#r-name", "钱七")
    _put(browser, "#r-class", "机电2101")
    _put(browser, "#r-risk", "中")
    _put(browser, "#r-next", (date.today() + timedelta(days=7)).isoformat())
    _put(browser, "#r-screening", "新生心理普查")
    _fits(browser, "psych-record-form")
    browser.check("psych_centre-phone-record-form")
    browser.click("#psych-form button[type=submit]")
    assert "已建立心理台账记录：钱七" in browser.text()
    _fits(browser, "psych-record")
    browser.check("psych_centre-phone-record")
    browser.go(menu["心理台账"])
    row = browser.find("#psych-records tbody tr")
    assert "钱七" in row.text and "机电2101" in row.text, row.text
    _fits(browser, "psych-ledger")
