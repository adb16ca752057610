"""Failed sign-ins slow the guesser down without locking the person out (issue 14 item 9):
limits per account and address with growing delays, ceilings per account and per address
far above what one stranger reaches, and the security office sees the attempts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.grid import login
from services.grid.api import auth as auth_api
from shared.timeutil import utcnow
from tests.support.fixtures import bearer
from tests.unit.test_grid_login import grid, ok, person, set_password, sign_in

__all__ = ["grid"]  # the fixture, shared with the sign-in tests

SO = bearer("security_office", sub="office")
STRANGER = {"REMOTE_ADDR": "10.66.0.9"}  # not a trusted proxy: counted as is
OWNER = {"REMOTE_ADDR": "10.20.0.7"}
WRONG = "Wrong-guess-1"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(auth_api, "utcnow", clock)
    return clock


@pytest.fixture
def account(grid):
    staff = person(grid)
    set_password(grid, staff["id"])
    return staff


def test_a_stranger_s_failures_do_not_stop_the_person_elsewhere(grid, account, clock):
    for _ in range(login.MAX_FAILURES_PER_LOGIN + 3):
        assert sign_in(grid, password=WRONG, environ=STRANGER).status_code in (401, 429)
        clock.now += timedelta(seconds=1)
    assert sign_in(grid, password=WRONG, environ=STRANGER).status_code == 429
    assert ok(sign_in(grid, environ=OWNER))["person"]["id"] == account["id"]


def test_repeated_failures_from_one_address_wait_longer_each_time(grid, account, clock):
    for _ in range(login.MAX_FAILURES_PER_LOGIN):
        assert sign_in(grid, password=WRONG, environ=STRANGER).status_code == 401
    waits = []
    for _ in range(3):
        refused = sign_in(grid, password=WRONG, environ=STRANGER)
        assert refused.status_code == 429
        assert "稍后再试" in refused.get_json()["detail"]
        waits.append(int(refused.headers["Retry-After"]))
        clock.now += timedelta(seconds=waits[-1])  # waited as told: one more guess
        assert sign_in(grid, password=WRONG, environ=STRANGER).status_code == 401
    assert waits[0] < waits[1] < waits[2], waits
    assert waits[0] >= login.FIRST_DELAY.total_seconds()
    # Capped: however many failures, the wait never exceeds MAX_DELAY.
    assert login.pair_delay(100) == login.MAX_DELAY


def test_the_account_ceiling_is_far_above_one_stranger(grid, account, clock, monkeypatch):
    assert login.MAX_FAILURES_PER_ACCOUNT > 200  # the shipped ceiling: hundreds an hour
    monkeypatch.setattr(login, "MAX_FAILURES_PER_ACCOUNT", 8)  # fewer scrypt checks
    for i in range(9):  # nine addresses, one guess each: a distributed attack
        sign_in(grid, password=WRONG, environ={"REMOTE_ADDR": f"10.70.0.{i}"})
    refused = sign_in(grid, environ=OWNER)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_the_security_office_sees_the_attack_and_no_one_else(grid, account, clock):
    for _ in range(login.MAX_FAILURES_PER_LOGIN):
        sign_in(grid, password=WRONG, environ=STRANGER)
    sign_in(grid, "nobody-7", WRONG, environ=STRANGER)
    ok(sign_in(grid, environ=OWNER))
    groups = ok(grid.get("/auth/attempts", headers=SO))
    top = groups[0]
    assert (top["person_id"], top["person_name"], top["ip"]) == (
        account["id"],
        account["name"],
        STRANGER["REMOTE_ADDR"],
    )
    assert top["failures"] == login.MAX_FAILURES_PER_LOGIN
    assert top["level_label"] == "失败较多（已逐次延迟）" and top["delayed_until"]
    unknown = [g for g in groups if g["login"] == "nobody-7"]
    assert unknown and unknown[0]["person_id"] is None and unknown[0]["level_label"] == "少量失败"
    assert all(g["ip"] != OWNER["REMOTE_ADDR"] for g in groups)  # successes are no attack
    for caller in (
        bearer("unit_manager", unit="JD", sub="m"),
        bearer("leadership", sub="l"),
        bearer("grid_staff", unit="JD", sub="g"),
    ):
        assert grid.get("/auth/attempts", headers=caller).status_code == 403
    assert grid.get("/auth/attempts").status_code == 401
    bad = grid.get("/auth/attempts?hours=99", headers=SO)
    assert bad.status_code == 422 and "hours" in str(bad.get_json())


# -- the console's page ------------------------------------------------------------------------
GROUP = {
    "login": "JD101",
    "person_id": "p-1",
    "person_name": "张网格",
    "unit_code": "JD",
    "ip": "10.66.0.9",
    "failures": 9,
    "first_at": "2026-12-01T01:00:00+00:00",
    "last_at": "2026-12-01T01:20:00+00:00",
    "delayed_until": None,
    "level": "many",
    "level_label": "失败较多（已逐次延迟）",
}


def _console(monkeypatch, tmp_path, roles):
    from services.console import create_app
    from tests.unit.test_console_app import PERSON, FakeServices, csrf

    fake = FakeServices()
    for module in ("auth", "views.account", "views.common", "labels"):
        monkeypatch.setattr(f"services.console.{module}.call", fake)
    fake.routes[("grid", "POST", "/auth/login")] = {
        "access_token": "t",
        "expires_in": 3600,
        "person": {**PERSON, "roles": roles},
    }
    monkeypatch.setenv("CAMPUS_VAR_DIR", str(tmp_path))
    client = create_app({"secret_key": "test-secret-key-0123456789"}).test_client()
    form = {"login": "x", "password": "y", "csrf_token": csrf(client)}
    assert client.post("/login", data=form).status_code == 302
    return client, fake


def test_the_office_s_console_page_lists_the_attempts(monkeypatch, tmp_path):
    client, fake = _console(monkeypatch, tmp_path, ["security_office"])
    fake.routes[("grid", "GET", "/auth/attempts")] = [GROUP]
    home = client.get("/account/password").get_data(as_text=True)
    assert 'href="/security/sign-in-attempts"' in home  # beside the office's own links
    page = client.get("/security/sign-in-attempts?hours=6")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "登录异常" in text
    assert "张网格" in text and "10.66.0.9" in text and "失败较多（已逐次延迟）" in text
    assert fake.calls[-1][3]["params"] == {"hours": 6}


def test_others_get_the_grid_s_refusal_and_no_link(monkeypatch, tmp_path):
    from services.console.client import ServiceError

    client, fake = _console(monkeypatch, tmp_path, ["leadership"])
    fake.routes[("grid", "GET", "/auth/attempts")] = ServiceError(403, {"title": "no"}, "grid")
    assert "sign-in-attempts" not in client.get("/account/password").get_data(as_text=True)
    assert client.get("/security/sign-in-attempts").status_code == 403
