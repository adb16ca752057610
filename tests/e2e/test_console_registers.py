"""The six registers of places and things (issue 17) through the console's pages alone, in a
real headless Chromium, against the whole suite started as processes by the README's run
command (one browser session; the people and places seeded through the services' APIs).

Acceptance (issue 17: "the console shows the register (list, form, due list) by the console
issue's standards"), for 危化品, 建筑建档, 应急预案, 通勤车、公务车, 食品安全 and 实训实习:
- its list from the menu, its form, a refused form (the Chinese reason beside the field it
  names, everything typed kept), a valid one, the record in the list and in its due list;
- 危化品 also: a purchase (出入库登记) and a count short of the ledger (盘点), which its due
  list (待处理) then shows;
- the security office at a desk (1366x768) for five of them, JD's manager on the phone
  (390x844) for 实训实习, 危化品's due list and the edit of its store;
- every page visited: no console error, no serious/critical axe-core violation, a
  screenshot (artifacts/console-registers/), none wider than the screen.
"""

from __future__ import annotations

import shutil
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import browser_suite
from tests.e2e.test_console_roles import ENGLISH_SENTENCE
from tests.support.browser import Browser, axe_source, seed
from tests.support.fixtures import ROOT

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "artifacts" / "console-registers"
DESK, PHONE = (1366, 768), (390, 844)
CAMPUS = ZoneInfo("Asia/Shanghai")  # the suite's campus time zone (the settings' default)
MANAGER, OFFICE = "JD100", "BW001"  # tests.support.browser.seed
WALK_SECONDS = 600  # the whole walk, suite start excluded: a modest browser test


@pytest.fixture
def suite(databases, amqp_url, tmp_path, chromium):
    with browser_suite(databases, amqp_url, tmp_path, ARTIFACTS) as running:
        yield running


def test_the_six_registers_in_chromium(suite, tmp_path):
    urls, env = suite
    today = datetime.now(CAMPUS).date()
    cells = seed(urls, env)["cells"]
    shutil.rmtree(ARTIFACTS / "shots", ignore_errors=True)
    shots = ARTIFACTS / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    browser = Browser(urls["console"], axe_source(tmp_path), shots)
    started = time.monotonic()
    try:
        _sign_in(browser, OFFICE, DESK)
        _chemicals(browser, cells)
        _buildings(browser, cells, today)
        _plans(browser, today)
        _vehicles(browser, cells, today)
        _food(browser, cells, today)
        browser.sign_out()
        _sign_in(browser, MANAGER, PHONE)
        _placements(browser, cells, today)
        _chemicals_on_phone(browser)
    finally:
        (ARTIFACTS / "visited.txt").write_text(
            "\n".join(browser.checked + ["", *browser.notes]), encoding="utf-8"
        )
        browser.quit()
    assert time.monotonic() - started < WALK_SECONDS


# -- helpers ----------------------------------------------------------------------------------
def _sign_in(browser: Browser, login: str, size: tuple[int, int]) -> None:
    browser.viewport(*size)
    browser.go("/login")
    browser.sign_in(login)
    assert browser.find("h1").text == "我的待办"


def _look(browser: Browser, name: str, status: int = 200) -> None:
    """The page fits the screen (no sideways scroll) and passes browser.check."""
    over = browser.sideways()
    assert over <= 0, f"{name} ({browser.path}) scrolls sideways by {over}px: {browser.widest()}"
    browser.check(name, status)


def _open(browser: Browser, label: str, name: str) -> None:
    """The register's list, reached from the menu."""
    menu = {entry: path for path, entry in browser.menu()}
    browser.go(menu[label])
    _look(browser, name)


def _follow(browser: Browser, text: str, name: str) -> None:
    """A link of the page by its words (a button-styled link to a form)."""
    link = next(a for a in browser.all("main a") if a.text.strip() == text)
    browser.go(link.get_attribute("href").removeprefix(browser.base))
    _look(browser, name)


def _choose(browser: Browser, css: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(browser.find(css)).select_by_value(value)


def _set(browser: Browser, css: str, value: str) -> None:
    """A date field's value, as its picker would set it."""
    browser.driver.execute_script(
        "document.querySelector(arguments[0]).value = arguments[1]", css, value
    )


def _fill(browser: Browser, values: dict[str, str]) -> None:
    """Each field by its id: a select chosen, a date picked, text typed."""
    for css, value in values.items():
        element = browser.find(css)
        if element.tag_name == "select":
            _choose(browser, css, value)
        elif element.get_attribute("type") == "date":
            _set(browser, css, value)
        else:
            browser.fill(css, value)


def _refused(browser: Browser, field: str, words: str, kept: dict[str, str]) -> None:
    """On top, that nothing was saved (a phone shows the first fields only); the reason
    beside FIELD (its id), in Chinese, holding WORDS; the field marked invalid; every value
    in KEPT still in its field."""
    assert "填写的内容已保留" in browser.find("#form-refused").text
    said = browser.find(f"#e-{field}").text
    assert words in said, said
    assert not ENGLISH_SENTENCE.search(said), said
    assert browser.find(f"#{field}").get_attribute("aria-invalid") == "true"
    for css, value in kept.items():
        assert browser.find(css).get_attribute("value") == value, (css, value)


def _rows(browser: Browser, table: str) -> list[str]:
    return [row.text for row in browser.all(f"#{table} tbody tr")]


def _due_list(browser: Browser, select: str, value: str, table: str, words: str, name: str):
    """The list filtered to its due list (the filter form, as a person uses it)."""
    _choose(browser, select, value)
    browser.click("form.filters button[type=submit]")
    assert any(words in row for row in _rows(browser, table)), _rows(browser, table)
    _look(browser, name)


def _day(today: date, days: int) -> str:
    return (today + timedelta(days=days)).isoformat()


# -- the registers ----------------------------------------------------------------------------
def _chemicals(browser: Browser, cells: dict[str, str]) -> None:
    """危化品台账: a catalogue entry refused for its CAS 号, then added; a store refused for
    its capacity, then registered; 500 mL bought into it; 盘点 finds 490 mL, which the
    page says and lists under 待处理 (the hazard it opened)."""
    _open(browser, "危化品台账", "chemicals-list")
    _follow(browser, "加入危化品目录", "chemicals-item-form")
    _fill(
        browser,
        {"#i-name": "无水乙醇", "#i-cas": "64175", "#i-class": "flammable", "#i-measure": "mL"},
    )
    browser.click("#item-form button[type=submit]")
    _refused(browser, "i-cas", "CAS 号格式", {"#i-name": "无水乙醇", "#i-measure": "mL"})
    _look(browser, "chemicals-item-refused", status=422)
    _fill(browser, {"#i-cas": "64-17-5"})
    browser.click("#item-form button[type=submit]")
    assert any("64-17-5" in row for row in _rows(browser, "catalogue")), browser.text()

    _follow(browser, "登记存放点", "chemicals-store-form")
    store = {
        "#s-name": "1号教学楼化学实验柜",
        "#s-place": cells["building"],
        "#s-capacity": "0",
        "#s-class": "flammable",
        "#s-keeper": "李明",
    }
    _fill(browser, store)
    browser.click("#store-form button[type=submit]")
    _refused(
        browser, "s-capacity", "须大于或等于 1", {"#s-name": store["#s-name"], "#s-keeper": "李明"}
    )
    _look(browser, "chemicals-store-refused", status=422)
    _fill(browser, {"#s-capacity": "1000"})
    browser.click("#store-form button[type=submit]")
    [row] = [r for r in browser.all("#stores tbody tr") if "1号教学楼化学实验柜" in r.text]
    movement = row.find_element("partial link text", "出入库登记").get_attribute("href")
    browser.go(movement.removeprefix(browser.base))
    _look(browser, "chemicals-movement-form")
    _choose(browser, "#m-item", _option(browser, "#m-item", "无水乙醇"))
    _fill(browser, {"#m-kind": "purchase", "#m-quantity": "500", "#m-party": "兰州化学试剂公司"})
    browser.click("#movement-form button[type=submit]")
    [row] = [r for r in browser.all("#stores tbody tr") if "1号教学楼化学实验柜" in r.text]
    assert "无水乙醇 500mL" in row.text, row.text
    count = row.find_element("partial link text", "盘点").get_attribute("href")
    browser.go(count.removeprefix(browser.base))
    _look(browser, "chemicals-count-form")
    _choose(browser, "#c-item", _option(browser, "#c-item", "无水乙醇"))
    _fill(browser, {"#c-counted": "490", "#c-by": "李明"})
    browser.click("#count-form button[type=submit]")
    assert "账实不符，已立为隐患" in browser.text()
    [due] = _rows(browser, "chem-due")
    assert "实存 490mL" in due and "账面结余 500mL" in due, due
    _look(browser, "chemicals-due")


def _option(browser: Browser, css: str, words: str) -> str:
    for option in browser.find(css).find_elements("css selector", "option"):
        if words in option.text:
            return option.get_attribute("value")
    raise AssertionError(f"{css}: no option with {words}")


def _buildings(browser: Browser, cells: dict[str, str], today: date) -> None:
    """建筑建档: refused for an appraisal dated tomorrow; filed with an appraisal whose next
    date passed a month ago; in the due list 鉴定已过期."""
    _open(browser, "建筑建档", "buildings-list")
    _follow(browser, "建筑建档", "buildings-form")
    building = {
        "#b-place": cells["building"],
        "#b-name": "1号教学楼",
        "#b-year": "1998",
        "#b-structure": "brick_concrete",
        "#b-floors": "5",
        "#b-use": "teaching",
        "#b-appraised": _day(today, 1),
        "#b-grade": "B",
        "#b-due": _day(today, 400),
    }
    _fill(browser, building)
    browser.click("#building-form button[type=submit]")
    _refused(browser, "b-appraised", "晚于今天", {"#b-name": "1号教学楼", "#b-floors": "5"})
    _look(browser, "buildings-refused", status=422)
    _fill(browser, {"#b-appraised": _day(today, -1500), "#b-due": _day(today, -30)})
    browser.click("#building-form button[type=submit]")
    assert browser.find("h1").text.startswith("1号教学楼"), browser.text()
    _look(browser, "buildings-item")
    _open(browser, "建筑建档", "buildings-list-filed")
    _due_list(browser, "#f-due", "lapsed", "buildings", "1号教学楼", "buildings-due")


def _plans(browser: Browser, today: date) -> None:
    """应急预案: refused for a review date before the approval; registered as approved 400
    days ago with a yearly drill never held; in the due list 超期未演练."""
    _open(browser, "应急预案", "plans-list")
    _follow(browser, "登记应急预案", "plans-form")
    plan = {
        "#e-unit": "JD",
        "#e-scenario": "fire",
        "#e-title": "机电工程学院火灾事故应急预案",
        "#e-edition": "2025版",
        "#e-approver": "李主任",
        "#e-approved": _day(today, -400),
        "#e-review": _day(today, -500),
        "#e-period": "365",
    }
    _fill(browser, plan)
    browser.click("#plan-form button[type=submit]")
    kept = {"#e-title": plan["#e-title"], "#e-edition": "2025版", "#e-period": "365"}
    _refused(browser, "e-review", "须晚于批准日期", kept)
    _look(browser, "plans-refused", status=422)
    _fill(browser, {"#e-review": _day(today, 300)})
    browser.click("#plan-form button[type=submit]")
    _look(browser, "plans-item")
    _open(browser, "应急预案", "plans-list-filed")
    _due_list(browser, "#f-lapse", "drill", "plans", "火灾事故应急预案", "plans-due")


def _vehicles(browser: Browser, cells: dict[str, str], today: date) -> None:
    """通勤车、公务车: refused without a plate; registered with its insurance run out twelve
    days ago; in the due list 已过期."""
    _open(browser, "通勤车、公务车", "vehicles-list")
    _follow(browser, "登记车辆", "vehicles-form")
    vehicle = {
        "#v-kind": "official",
        "#v-model": "大众 帕萨特",
        "#v-seats": "5",
        "#v-place": cells["building"],
        "#v-inspection": _day(today, 90),
        "#v-insurance": _day(today, -12),
    }
    _fill(browser, vehicle)
    browser.click("#vehicle-form button[type=submit]")
    kept = {"#v-model": "大众 帕萨特", "#v-insurance": _day(today, -12)}
    _refused(browser, "v-plate", "必填", kept)
    _look(browser, "vehicles-refused", status=422)
    _fill(browser, {"#v-plate": "甘A·G7203"})
    browser.click("#vehicle-form button[type=submit]")
    assert any("甘A·G7203" in row for row in _rows(browser, "vehicles")), browser.text()
    _due_list(browser, "#f-due", "lapsed", "vehicles", "甘A·G7203", "vehicles-due")


def _food(browser: Browser, cells: dict[str, str], today: date) -> None:
    """食品安全: refused without its food safety manager; registered; a health certificate
    that expired five days ago added on its page; in the due list 证照已过期."""
    _open(browser, "食品安全", "food-list")
    _follow(browser, "登记食品经营场所", "food-form")
    outlet = {
        "#o-name": "第一学生食堂",
        "#o-kind": "canteen",
        "#o-place": cells["building"],
        "#o-operator": "兰州膳源餐饮管理有限公司",
    }
    _fill(browser, outlet)
    browser.click("#outlet-form button[type=submit]")
    kept = {"#o-name": "第一学生食堂", "#o-operator": outlet["#o-operator"]}
    _refused(browser, "o-manager", "必填", kept)
    _look(browser, "food-refused", status=422)
    _fill(browser, {"#o-manager": "冯膳食"})
    browser.click("#outlet-form button[type=submit]")
    _look(browser, "food-item")
    _fill(browser, {"#c-kind": "health", "#c-holder": "张面点", "#c-expires": _day(today, -5)})
    browser.click("#certificate-form button[type=submit]")
    assert "张面点" in browser.text()
    _open(browser, "食品安全", "food-list-filed")
    _due_list(browser, "#f-due", "expired", "outlets", "第一学生食堂", "food-due")


def _placements(browser: Browser, cells: dict[str, str], today: date) -> None:
    """实训实习 on the manager's phone: refused for an end before the start; registered to
    start in five days with nothing yet on file; in the due list 即将开始但条件不全."""
    _open(browser, "实训实习", "placements-phone-list")
    _follow(browser, "登记实训实习", "placements-phone-form")
    placement = {
        "#p-title": "2024级数控技术跟岗实习",
        "#p-kind": "internship",
        "#p-place": cells["building"],
        "#p-host": "兰州万里机床有限公司",
        "#p-leader": "李主任",
        "#p-start": _day(today, 5),
        "#p-end": _day(today, 1),
        "#p-count": "24",
    }
    _fill(browser, placement)
    browser.click("#placement-form button[type=submit]")
    kept = {"#p-title": placement["#p-title"], "#p-host": placement["#p-host"], "#p-count": "24"}
    _refused(browser, "p-end", "不能早于开始日期", kept)
    _look(browser, "placements-phone-refused", status=422)
    _fill(browser, {"#p-end": _day(today, 95)})
    browser.click("#placement-form button[type=submit]")
    _look(browser, "placements-phone-item")
    _open(browser, "实训实习", "placements-phone-list-filed")
    _due_list(
        browser, "#f-due", "due_soon", "placements", "数控技术跟岗实习", "placements-phone-due"
    )


def _chemicals_on_phone(browser: Browser) -> None:
    """The count short of the ledger is on the manager's 危化品台账, under 待处理; the store
    edited on the phone: a capacity below what it holds refused, a new keeper saved."""
    _open(browser, "危化品台账", "chemicals-phone-list")
    [row] = _rows(browser, "chem-due")
    assert "账实不符" in row and "1号教学楼" in row, row
    [store] = browser.all("#stores tbody tr")
    edit = store.find_element("partial link text", "修改").get_attribute("href")
    browser.go(edit.removeprefix(browser.base))
    _look(browser, "chemicals-phone-store-edit")
    _fill(browser, {"#s-capacity": "400", "#s-keeper": "王芳"})
    browser.click("#store-form button[type=submit]")
    _refused(browser, "s-capacity", "现存 500", {"#s-capacity": "400", "#s-keeper": "王芳"})
    _look(browser, "chemicals-phone-store-refused", status=422)
    _fill(browser, {"#s-capacity": "800"})
    browser.click("#store-form button[type=submit]")
    [store] = _rows(browser, "stores")
    assert "王芳" in store and "800" in store, store
