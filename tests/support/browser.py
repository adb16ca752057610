"""The console in a real headless Chromium: the Browser (Selenium over Debian's chromium and
chromium-driver, axe-core on every checked page, a screenshot of each) and the seeding the
browser tests share, all through the services' APIs. Used by tests/e2e/test_console_*.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.fixtures import ROOT, campus_safety
from tests.support.waiting import wait_until

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE_VERSION = "4.10.3"  # npm package axe-core, fetched once with `npm pack` and cached
AXE_CACHE = ROOT / "var" / "cache" / f"axe-core-{AXE_VERSION}.min.js"
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
        button = self.find(css)
        confirm = button.get_attribute("data-confirm")
        try:
            button.click()
        except (StaleElementReferenceException, WebDriverException) as exc:
            # Chromium's emulated phone viewport sometimes loses the node while it scrolls
            # it into view ("does not belong to the document"): the click never happened,
            # so the element is clicked through the page's own DOM instead.
            if "does not belong to the document" not in str(exc) and not isinstance(
                exc, StaleElementReferenceException
            ):
                raise
            self.driver.execute_script("arguments[0].click()", self.find(css))
        if confirm:  # an irreversible step asks first (console.js): the person confirms
            WebDriverWait(self.driver, 10).until(expected_conditions.alert_is_present())
            self.driver.switch_to.alert.accept()
        WebDriverWait(self.driver, 30).until(_replaced(page))
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

    def viewport(self, width: int, height: int) -> None:
        """A screen of WIDTH x HEIGHT CSS pixels; up to 480 wide, a phone's (touch, the
        page's meta viewport honoured)."""
        mobile = width <= 480
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {
                "width": width,
                "height": height,
                "deviceScaleFactor": 2 if mobile else 1,
                "mobile": mobile,
            },
        )

    def sideways(self) -> int:
        """How many CSS pixels the page is wider than the screen (0: no sideways scroll).
        The screen is the root's client width: on an emulated phone, a page wider than the
        screen widens window.innerWidth with it (the phone zooms out to show it all)."""
        return self.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )

    def widest(self) -> list[str]:
        """The elements reaching past the screen's right edge (tag#id.class, width): what
        a failing sideways-scroll check names."""
        return self.driver.execute_script(
            "const w = document.documentElement.clientWidth; const out = [];"
            "for (const e of document.body.querySelectorAll('*')) {"
            "  const r = e.getBoundingClientRect();"
            "  if (r.right > w + 0.5 && r.width > 0) out.push("
            "    e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +"
            "    (e.className && typeof e.className === 'string' ?"
            "     '.' + e.className.trim().split(/\\s+/).join('.') : '') +"
            "    ' ' + Math.round(r.width) + 'px');"
            "  if (out.length >= 8) break; }"
            "return out;"
        )

    def menu(self) -> list[tuple[str, str]]:
        """The main menu's entries (path, label) as the page renders them, in order."""
        seen: dict[str, str] = {}
        for link in self.all("nav[aria-label='主导航'] a"):
            href = link.get_attribute("href").removeprefix(self.base)
            seen.setdefault(href, link.get_attribute("textContent").strip())
        return list(seen.items())

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


def actions(browser: Browser) -> set[str]:
    """The hazard page's action buttons (action-<name>) as names."""
    return {b.get_attribute("id").removeprefix("action-") for b in browser.all("[id^=action-]")}


# -- the main flows' seeding (tests/e2e/test_console_flows.py) --------------------------------
def seed_flows(urls: dict[str, str], env: dict[str, str], today) -> dict:
    """Beside ``seed``: what the main flows start from, through the services' APIs.
    A campaign of 机电 (JD) and 信息 (XX) that starts tomorrow (the newest start is the
    console's current campaign, before the one `run` loads): a due date three days ago (both
    units late on the board), one in two days and one in three (within the reminder days, so
    on the unit manager's to-do); a lecture holding 2号宿舍楼前广场 yesterday 09:00-11:00
    (campus time, +08:00), the venue the drill is first refused; the shipped fire checklist
    for the daily inspection. ``today``: the campus date."""
    office = cli(env, "token", "--sub", "seed-office", "--role", "security_office")

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    dues = [(-3, -17, -3), (2, -2, 2), (3, 3, 3)]  # (due, period start, period end)
    campaign = {
        "code": "FLOWS",
        "name": "校园安全专项整治（流程演练）",
        "starts_on": day(1),
        "ends_on": day(90),
        "phases": [{"code": "rectify", "name": "集中整治", "deadline": day(60)}],
        "reporting_dues": [
            {"due_on": day(d), "period_start": day(s), "period_end": day(e)} for d, s, e in dues
        ],
        "units": [
            {"unit_code": "JD", "name": "机电工程学院", "email": "jd@campus.example.edu.cn"},
            {"unit_code": "XX", "name": "信息工程学院", "email": "xx@campus.example.edu.cn"},
        ],
    }
    made = ok(http("POST", f"{urls['reporting']}/campaigns", office, campaign))
    lecture = ok(
        http(
            "POST",
            f"{urls['education']}/activities",
            office,
            {
                "kind": "lecture",
                "title": "宿舍安全教育讲座",
                "organiser_unit": "XX",
                "targets": [{"unit_code": "XX"}],
                "venue": "2号宿舍楼前广场",
                "starts_at": f"{day(-1)}T09:00:00+08:00",
                "ends_at": f"{day(-1)}T11:00:00+08:00",
            },
        )
    )
    # The shipped fire checklist, as the hazards migration seeds it (tests empty the tables).
    shipped = json.loads((ROOT / "services/hazards/data/checklists.json").read_text("utf-8"))
    fire = next(c for c in shipped if c["code"] == "fire-daily")
    ok(http("POST", f"{urls['hazards']}/checklists", office, fire))
    return {"campaign": made, "dues": made["reporting_dues"], "lecture": lecture}


def _replaced(page):
    """A wait condition: the page element belongs to a document that was replaced (the next
    page loaded). Besides Selenium's stale-element error, Chromium sometimes says so as
    "Node with given id does not belong to the document" (an unknown error)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def check(_driver) -> bool:
        try:
            page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    return check
