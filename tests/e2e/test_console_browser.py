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
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import running_suite
from tests.support.fixtures import ROOT, campus_safety, suite_env
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE_VERSION = "4.10.3"  # npm package axe-core, fetched once with `npm pack` and cached
AXE_CACHE = ROOT / "var" / "cache" / f"axe-core-{AXE_VERSION}.min.js"
ARTIFACTS = ROOT / "artifacts" / "console"
PASSWORD = "Anquan2021!"
ALWAYS_FAIL_RULES = {"label", "color-contrast"}


# -- infrastructure ---------------------------------------------------------------------------
def http(method, url, token=None, body=None, headers=None):
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()
    except (urllib.error.URLError, ConnectionError):
        return 0, {}, b""


def ok(result, status=(200, 201, 204)):
    code, _, body = result
    assert code in ((status,) if isinstance(status, int) else status), (code, body[:500])
    return json.loads(body) if body else None


def axe_source(tmp: Path) -> str:
    """axe-core's axe.min.js: $AXE_CORE_JS, the cache under var/, or `npm pack` it."""
    configured = os.environ.get("AXE_CORE_JS")
    if configured:
        return Path(configured).read_text(encoding="utf-8")
    if not AXE_CACHE.is_file():
        npm = shutil.which("npm")
        assert npm, "npm is needed once to fetch axe-core (or set AXE_CORE_JS)"
        out = subprocess.run(
            [npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", str(tmp), "--silent"],
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        )
        tarball = tmp / out.stdout.strip().splitlines()[-1]
        with tarfile.open(tarball) as archive:
            source = archive.extractfile("package/axe.min.js").read()  # type: ignore[union-attr]
        AXE_CACHE.parent.mkdir(parents=True, exist_ok=True)
        AXE_CACHE.write_bytes(source)
    return AXE_CACHE.read_text(encoding="utf-8")


def photo_jpeg(path: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (200, 40, 30))
    draw = ImageDraw.Draw(image)
    draw.rectangle((220, 120, 420, 400), fill=(240, 240, 240))
    draw.ellipse((280, 60, 360, 140), fill=(30, 30, 30))
    image.save(path, "JPEG", quality=85)
    return path


# -- the browser ------------------------------------------------------------------------------
class Browser:
    """Selenium on Debian's chromium; every visited page is checked and photographed."""

    def __init__(self, base: str, axe: str, artifacts: Path) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        self.profile = tempfile.mkdtemp(prefix="console-chromium-")
        for flag in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            f"--user-data-dir={self.profile}",
            "--window-size=1280,900",
            "--lang=zh-CN",
        ):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(
            service=Service(executable_path=str(CHROMEDRIVER)), options=options
        )
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(60)
        self.base, self.axe, self.artifacts = base, axe, artifacts
        self.shots = 0
        self.hazard_number = self.hazard_path = ""
        self.checked: list[str] = []
        self.notes: list[str] = []

    def quit(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    # navigation
    def go(self, path: str) -> None:
        self.driver.get(self.base + path)

    @property
    def path(self) -> str:
        return self.driver.current_url.removeprefix(self.base)

    def text(self) -> str:
        return self.driver.find_element("tag name", "body").text

    def find(self, css: str):
        return self.driver.find_element("css selector", css)

    def all(self, css: str):
        return self.driver.find_elements("css selector", css)

    def fill(self, css: str, value: str) -> None:
        element = self.find(css)
        element.clear()
        element.send_keys(value)

    def click(self, css: str) -> None:
        """Click something that submits a form, and wait for the next page."""
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        page = self.find("html")
        try:
            self.find(css).click()
        except (StaleElementReferenceException, WebDriverException) as exc:
            # Chromium's emulated phone viewport sometimes loses the node while it scrolls
            # it into view ("does not belong to the document"): the click never happened,
            # so the element is clicked through the page's own DOM instead.
            if "does not belong to the document" not in str(exc) and not isinstance(
                exc, StaleElementReferenceException
            ):
                raise
            self.driver.execute_script("arguments[0].click()", self.find(css))
        WebDriverWait(self.driver, 30).until(expected_conditions.staleness_of(page))
        wait_until(
            lambda: self.driver.execute_script("return document.readyState") == "complete",
            timeout=30,
            message="page load",
        )

    def phone(self) -> None:
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
        )

    def desktop(self) -> None:
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # checks
    def check(self, name: str, status: int = 200) -> None:
        """No console error, no serious axe violation; a screenshot for the artifacts.
        An error page (``status``) may log its own status, and nothing else."""
        wait_until(
            lambda: self.driver.execute_script("return document.readyState") == "complete",
            timeout=30,
            message=f"{name} loaded",
        )
        assert self.driver.execute_script("return document.documentElement.lang") == "zh-CN"
        expected = f"{self.driver.current_url} - Failed to load resource: the server responded"
        errors = [
            e
            for e in self.driver.get_log("browser")
            if e["level"] == "SEVERE"
            and not (
                status != 200
                and e["message"].startswith(expected)
                and f" {status} " in e["message"]
            )
        ]
        assert not errors, f"{name} ({self.path}): console errors {errors}"
        self.driver.execute_script(self.axe)
        violations = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
            " help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.html)}))))"
            ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e)}]));"
        )
        bad = [
            v
            for v in violations
            if v["id"] in ALWAYS_FAIL_RULES or v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"{name} ({self.path}): accessibility violations {bad}"
        self.notes += [f"{name}: {v['id']} ({v['impact']}) {v['help']}" for v in violations]
        self.shots += 1
        self.driver.save_screenshot(str(self.artifacts / f"{self.shots:02d}-{name}.png"))
        self.checked.append(f"{name} {self.path}")

    def sign_in(self, login: str, password: str = PASSWORD) -> None:
        self.fill("#login", login)
        self.fill("#password", password)
        self.click("form button[type=submit]")

    def sign_out(self) -> None:
        self.click("header form button[type=submit]")
        assert "您已安全退出" in self.text()

    def fetch(self, path: str) -> tuple[int, dict, bytes]:
        """GET a console URL with this browser's session cookie (downloads)."""
        cookie = self.driver.get_cookie("campus_console")
        headers = {"Cookie": f"campus_console={cookie['value']}"} if cookie else {}
        return http("GET", self.base + path, headers=headers)

    def dashboard_numbers(self) -> dict[str, str]:
        self.go("/overview")  # 概览: the landing page is 我的待办
        return {
            key: self.find(f"#stat-{key}").text
            for key in ("found", "open", "overdue", "major", "rate")
        }

    def wait_dashboard(self, expected: dict[str, str], timeout: float = 10) -> None:
        """The dashboard shows ``expected`` within ``timeout`` seconds (reloading)."""
        started = time.monotonic()
        wait_until(
            lambda: all(self.dashboard_numbers()[k] == v for k, v in expected.items()),
            timeout=timeout,
            interval=0.5,
            message=f"dashboard {expected}",
        )
        self.notes.append(f"dashboard {expected} after {time.monotonic() - started:.1f}s")


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chromium() -> None:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip(
            "Debian's chromium and chromium-driver are not installed "
            "(apt-get install -y chromium chromium-driver; .ci/run does it)"
        )
    pytest.importorskip("selenium", reason="selenium is in the test extras: pip install -e .[test]")


@pytest.fixture
def suite(databases, amqp_url, tmp_path, chromium):
    """The README's run command, console included, on a free block of five ports."""
    env = suite_env(databases, amqp_url, CAMPUS_FILES_DIR=str(tmp_path / "files"))
    env.pop("CAMPUS_REPORT_URL", None)  # `run` points the roster QR codes at the console
    log = tmp_path / "suite.log"
    try:
        with running_suite(env, log) as running:
            yield running.urls, env
    finally:
        if log.is_file():
            output = log.read_text(errors="replace")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / "suite.log").write_text(output[-200_000:], encoding="utf-8")


def cli(env, *args: str, stdin: str | None = None) -> str:
    return campus_safety(env, *args, stdin=stdin).stdout.strip()


def seed(urls: dict[str, str], env: dict[str, str]) -> dict:
    """Units, places, people with roles and passwords, an assignment, activities, and a
    hazard of another unit — all through the services' APIs (plus one CLI password)."""
    office = cli(env, "token", "--sub", "seed-office", "--role", "security_office")
    grid, hazards, education = urls["grid"], urls["hazards"], urls["education"]
    for code, name, kind in (
        ("JD", "机电工程学院", "college"),
        ("XX", "信息工程学院", "college"),
        ("BWC", "安全保卫处", "office"),
    ):
        ok(http("POST", f"{grid}/units", office, {"code": code, "name": name, "kind": kind}))
    root = ok(
        http(
            "POST",
            f"{grid}/cells",
            office,
            {"code": "LZXD", "name": "兰州现代职业学院", "area_type": "campus"},
        )
    )
    cells = {}
    for unit, name in (("JD", "机电工程学院"), ("XX", "信息工程学院")):
        body = {
            "code": unit,
            "name": name,
            "area_type": "unit",
            "parent_id": root["id"],
            "unit_code": unit,
        }
        cells[unit] = ok(http("POST", f"{grid}/cells", office, body))["id"]
    for key, unit, code, name, area in (
        ("building", "JD", "JD-B1", "1号教学楼", "teaching"),
        ("dorm", "XX", "XX-D2", "2号宿舍楼", "dormitory"),
    ):
        body = {"code": code, "name": name, "area_type": area, "parent_id": cells[unit]}
        cells[key] = ok(http("POST", f"{grid}/cells", office, body))["id"]
    people = {}
    for key, name, unit, staff_no, roles, phone in (
        ("office", "王保卫", "BWC", "BW001", ["security_office"], "13800000001"),
        ("manager", "李主任", "JD", "JD100", ["unit_manager"], "13800000002"),
        ("staff", "张网格", "JD", "JD101", ["grid_staff"], "13800000003"),
        ("lead", "陈督导", "BWC", "BW200", ["lead_department"], "13800000004"),
        ("other", "孙主任", "XX", "XX100", ["unit_manager"], "13800000005"),
    ):
        body = {
            "name": name,
            "phone": phone,
            "unit_code": unit,
            "staff_no": staff_no,
            "roles": roles,
        }
        people[key] = ok(http("POST", f"{grid}/people", office, body))
        assert people[key]["roles"] == roles and people[key]["can_sign_in"] is False
    for key in ("office", "manager", "lead", "other"):
        ok(
            http(
                "PUT",
                f"{grid}/people/{people[key]['id']}/password",
                office,
                {"password": PASSWORD},
            ),
            204,
        )
    # The grid staff member's password comes from the CLI (how the first people get one).
    out = cli(env, "set-password", "--person", "JD101", "--password-stdin", stdin=PASSWORD + "\n")
    assert "张网格" in out
    ok(
        http(
            "POST",
            f"{grid}/assignments",
            office,
            {
                "cell_id": cells["building"],
                "person_id": people["staff"]["id"],
                "role": "safety_officer",
            },
        )
    )

    # The hazard ledger learns the grid over events; QR report pages need the places.
    def projected() -> bool:
        status, _, body = http("GET", f"{hazards}/cells/{cells['building']}/responsible", office)
        holders = json.loads(body) if status == 200 else []
        dorm = http("GET", f"{hazards}/cells/{cells['dorm']}", office)[0]
        return dorm == 200 and any(h["person_id"] == people["staff"]["id"] for h in holders)

    wait_until(projected, timeout=20, interval=0.2, message="hazards' grid projection")
    other = ok(
        http(
            "POST",
            f"{hazards}/hazards",
            office,
            {
                "cell_id": cells["dorm"],
                "category": "public_security",
                "description": "信息学院宿舍门禁损坏（他院隐患）",
            },
        )
    )
    now = datetime.now(UTC)
    drill = ok(
        http(
            "POST",
            f"{education}/activities",
            office,
            {
                "kind": "drill",
                "title": "1号教学楼火灾疏散逃生演练",
                "organiser_unit": "JD",
                "targets": [{"unit_code": "JD"}],
                "venue": "1号教学楼",
                "starts_at": (now - timedelta(hours=3)).isoformat(),
                "ends_at": (now - timedelta(hours=2)).isoformat(),
            },
        )
    )
    ok(
        http(
            "POST",
            f"{education}/activities/{drill['id']}/drill-result",
            office,
            {"participants": 120, "evacuation_seconds": 185, "observations": "疏散有序"},
        )
    )
    lecture = ok(
        http(
            "POST",
            f"{education}/activities",
            office,
            {
                "kind": "lecture",
                "title": "消防安全知识讲座",
                "organiser_unit": "JD",
                "targets": [{"unit_code": "JD"}],
                "venue": "学术报告厅",
                "starts_at": (now - timedelta(minutes=10)).isoformat(),
                "ends_at": (now + timedelta(minutes=50)).isoformat(),
            },
        )
    )
    return {"cells": cells, "people": people, "other": other, "lecture": lecture}


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
    assert browser.driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    ), "the report page scrolls sideways at 390 px"
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


def _actions(browser: Browser) -> set[str]:
    return {b.get_attribute("id").removeprefix("action-") for b in browser.all("[id^=action-]")}


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
    browser.click("#submit-JD")
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
