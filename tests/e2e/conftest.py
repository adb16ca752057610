"""The e2e tests' suite: the README's run command (``campus-safety run``) as real processes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from services.registry import SERVICES
from tests.support import infra
from tests.support.browser import CHROMEDRIVER, CHROMIUM
from tests.support.fixtures import ROOT, suite_env
from tests.support.waiting import wait_until

READY_SECONDS = 90.0
STOP_SECONDS = 30.0  # after SIGINT, then SIGKILL


@dataclass
class Suite:
    process: subprocess.Popen
    urls: dict[str, str]  # "console" and each service -> http://127.0.0.1:PORT
    killed: bool = False  # still running STOP_SECONDS after SIGINT, so SIGKILLed


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=10) as response:
            return response.status == 200
    except OSError:  # not listening (yet), or not ready (an HTTPError)
        return False


@contextlib.contextmanager
def running_suite(env: dict[str, str], log_path: Path, demo: bool = False) -> Iterator[Suite]:
    """``campus-safety run --web-workers 1`` on a free block of ports (the console's, then one
    per service) with ENV, its output in LOG_PATH; entered once every URL answers /readyz.
    ``demo``: with the demo campus `run` seeds on empty databases (the tests that count
    what they create themselves start without it, ``--no-demo``).
    On exit it is stopped as Ctrl-C in a terminal does (SIGINT to its process group), and
    SIGKILLed (``Suite.killed``) if it has not ended STOP_SECONDS later."""
    base = infra.free_port(7100, 7900, also=tuple(range(1, 1 + len(SERVICES))))
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "services", "run", "--port-base", str(base + 1)]
            + ["--web-workers", "1"]  # the console listens on the port before --port-base
            + ([] if demo else ["--no-demo"]),
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        urls = {"console": f"http://127.0.0.1:{base}"}
        urls |= {s: f"http://127.0.0.1:{base + 1 + i}" for i, s in enumerate(SERVICES)}
        suite = Suite(process, urls)
        try:
            for url in urls.values():
                wait_until(
                    lambda url=url: ready(url),
                    timeout=READY_SECONDS,
                    interval=0.25,
                    message=f"{url}/readyz",
                )
            yield suite
        finally:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                suite.killed = True
                os.killpg(process.pid, signal.SIGKILL)


# -- the browser tests' suite -----------------------------------------------------------------
@pytest.fixture(scope="module")
def chromium() -> None:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip(
            "Debian's chromium and chromium-driver are not installed "
            "(apt-get install -y chromium chromium-driver; .ci/run does it)"
        )
    pytest.importorskip("selenium", reason="selenium is in the test extras: pip install -e .[test]")


@contextlib.contextmanager
def browser_suite(
    databases: dict[str, str], amqp_url: str, tmp_path: Path, artifacts: Path
) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """The README's run command, console included, for a browser test: (urls, env); its
    output's tail kept in ``artifacts``/suite.log."""
    env = suite_env(databases, amqp_url, CAMPUS_FILES_DIR=str(tmp_path / "files"))
    env.pop("CAMPUS_REPORT_URL", None)  # `run` points the roster QR codes at the console
    log = tmp_path / "suite.log"
    try:
        with running_suite(env, log) as running:
            yield running.urls, env
    finally:
        if log.is_file():
            artifacts.mkdir(parents=True, exist_ok=True)
            output = log.read_text(errors="replace")
            (artifacts / "suite.log").write_text(output[-200_000:], encoding="utf-8")
