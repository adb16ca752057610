"""The province console in a real headless Chromium (issue 19), against the province
installation started as processes by its run command (`campus-safety province run`: the API,
the worker, the console in province mode): a province user added by the operator's command
signs in on a phone, sees only the province's pages, and each of them — colleges, one
college, totals, due dates, flags — renders without console errors, passes axe-core and
needs no sideways scrolling at 390 px; the .xlsx downloads."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date

import pytest

from services.province import create_app
from services.province.queries import register_colleges
from shared.api import state
from shared.db import unit_of_work
from tests.e2e.conftest import READY_SECONDS, STOP_SECONDS, ready
from tests.support import infra
from tests.support.browser import Browser, axe_source, cli
from tests.support.fixtures import ROOT
from tests.support.waiting import wait_until
from tests.unit.test_console_province import COLLEGES, board, major_hazard
from tests.unit.test_province_ingest import apply, figures, table

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "artifacts" / "province-console"
PASSWORD = "Province-2021x"
PAGES = (
    ("colleges", "/province/colleges", "院校"),
    ("college", "/province/colleges/lzxd", "兰州现代职业学院"),
    ("totals", "/province/totals", "全省汇总"),
    ("dues", "/province/dues", "各校统计表报送情况"),
    ("flags", "/province/flags", "问责"),
)


def _seed(url: str) -> None:
    """Three colleges, as their messages would have reached the province."""
    app = create_app({"database_url": url, "amqp_url": "amqp://guest:guest@127.0.0.1:1/%2F"})
    with app.app_context(), unit_of_work(state().session_factory) as session:
        register_colleges(session, COLLEGES)
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
    app.extensions["campus"].engine.dispose()


@pytest.fixture
def province(tmp_path, amqp_url, chromium):
    url = f"sqlite:///{tmp_path / 'province.db'}"
    env = {
        **os.environ,
        "PROVINCE_DATABASE_URL": url,
        "PROVINCE_COLLEGES": '{"lzxd":"兰州现代职业学院","gsjt":"甘肃交通职业技术学院",'
        '"lzzy":"兰州职业技术学院"}',
        "CAMPUS_AMQP_URL": amqp_url,
        "CAMPUS_VAR_DIR": str(tmp_path),
        "CAMPUS_LOG_FORMAT": "text",
    }
    cli(env, "province", "set-password", "--login", "wang.li", "--name", "王丽",
        "--password-stdin", stdin=f"{PASSWORD}\n")  # fmt: skip
    _seed(url)
    port = infra.free_port(7100, 7900, also=(1,))
    urls = {"api": f"http://127.0.0.1:{port}", "console": f"http://127.0.0.1:{port + 1}"}
    log = open(tmp_path / "province.log", "wb")  # noqa: SIM115  (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "services", "province", "run", "--no-migrate"]
        + ["--port", str(port), "--console-port", str(port + 1), "--web-workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for where in urls.values():
            wait_until(lambda w=where: ready(w), timeout=READY_SECONDS, message=where)
        yield urls
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_a_province_user_reads_every_province_page_on_a_phone(province, tmp_path):
    shots = ARTIFACTS / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    browser = Browser(province["console"], axe_source(tmp_path), shots)
    try:
        browser.phone()
        browser.go("/login")
        browser.check("login")
        browser.sign_in("wang.li", PASSWORD)
        wait_until(lambda: browser.path.startswith("/province/colleges"), message="signed in")
        assert [label for _, label in browser.menu()] == ["院校", "全省汇总", "报送情况", "问责"]
        for name, path, heading in PAGES:
            browser.go(path)
            browser.check(name)
            assert heading in browser.find("h1").text
            assert browser.sideways() == 0, (name, browser.widest())
        status, headers, body = browser.fetch("/province/export.xlsx")
        assert status == 200 and body[:2] == b"PK"  # a zip: the .xlsx
        browser.sign_out()
    finally:
        browser.quit()
