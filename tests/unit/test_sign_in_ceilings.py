"""Nobody else's failures lock a person out (review of issue 14, item 9): an IPv6 address
counts by its /64, a spray of invented names from a shared NAT address does not stop a
person there, an address the person signed in from passes the ceilings — and a guesser
spread over many addresses is still stopped. The attempts report asks the limiter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.grid import login
from tests.unit.test_grid_login import grid, ok, person, set_password, sign_in
from tests.unit.test_sign_in_lockout import OWNER, WRONG, clock

__all__ = ["clock", "grid"]  # fixtures, shared with the sign-in tests

NAT = {"REMOTE_ADDR": "10.0.0.1"}
CEILING = 8  # the shipped ceilings are hundreds: fewer scrypt checks here


@pytest.fixture
def account(grid):
    staff = person(grid)
    set_password(grid, staff["id"])
    return staff


def test_rotating_ipv6_addresses_within_one_64_is_one_address(grid, account, clock, monkeypatch):
    monkeypatch.setattr(login, "MAX_FAILURES_PER_ACCOUNT", CEILING)
    for host in range(4):  # 4 x 3 failures: past the ceiling if each address counted alone
        for _ in range(3):
            sign_in(grid, password=WRONG, environ={"REMOTE_ADDR": f"2001:db8:0:1::{host + 1:x}"})
    assert ok(sign_in(grid, environ={"REMOTE_ADDR": "10.9.9.9"}))["person"]["id"] == account["id"]
    refused = sign_in(grid, password=WRONG, environ={"REMOTE_ADDR": "2001:db8:0:1::ff"})
    assert refused.status_code == 429  # the /64 itself waits


def test_invented_names_from_a_nat_address_do_not_stop_the_person_there(
    grid, account, clock, monkeypatch
):
    monkeypatch.setattr(login, "MAX_FAILURES_PER_IP", CEILING)
    for i in range(CEILING + 1):
        sign_in(grid, f"nobody{i}", WRONG, environ=NAT)
    assert sign_in(grid, "nobody-else", WRONG, environ=NAT).status_code == 429
    assert ok(sign_in(grid, environ=NAT))["person"]["id"] == account["id"]


def test_a_spray_over_people_stops_at_the_address_ceiling_but_not_a_known_person(
    grid, account, clock, monkeypatch
):
    monkeypatch.setattr(login, "MAX_FAILURES_PER_IP", CEILING)
    ok(sign_in(grid, environ=NAT))  # the person signs in from the shared address
    clock.now += timedelta(days=2)  # failures are kept a day, a known address 30
    other = person(grid, staff_no="JD102")
    set_password(grid, other["id"])
    for i in range(CEILING + 1):
        person(grid, staff_no=f"JD2{i:02d}")
        sign_in(grid, f"JD2{i:02d}", WRONG, environ=NAT)
    assert sign_in(grid, "JD102", environ=NAT).status_code == 429  # an unknown pair waits
    assert ok(sign_in(grid, environ=NAT))["person"]["id"] == account["id"]


def test_a_guesser_over_many_addresses_is_stopped_but_the_person_s_own_address_passes(
    grid, account, clock, monkeypatch
):
    monkeypatch.setattr(login, "MAX_FAILURES_PER_ACCOUNT", CEILING)
    ok(sign_in(grid, environ=OWNER))
    for i in range(CEILING + 1):  # one guess from each of many networks
        sign_in(grid, password=WRONG, environ={"REMOTE_ADDR": f"2001:db8:{i + 1:x}::1"})
    guesser = sign_in(grid, environ={"REMOTE_ADDR": "2001:db8:ff::1"})
    assert guesser.status_code == 429  # even the right password: the guesses are bounded
    assert int(guesser.headers["Retry-After"]) > 0
    assert ok(sign_in(grid, environ=OWNER))["person"]["id"] == account["id"]


def test_the_report_s_delay_is_the_limiter_s(grid, account, clock):
    from tests.unit.test_sign_in_lockout import SO, STRANGER

    for _ in range(3):
        sign_in(grid, password=WRONG, environ=STRANGER)
    ok(sign_in(grid, environ=STRANGER))  # a success there: the failures stop counting
    for _ in range(login.MAX_FAILURES_PER_LOGIN - 1):
        sign_in(grid, password=WRONG, environ=STRANGER)
    [group] = ok(grid.get("/auth/attempts", headers=SO))
    assert group["failures"] > login.MAX_FAILURES_PER_LOGIN and group["delayed_until"] is None
    assert sign_in(grid, password=WRONG, environ=STRANGER).status_code == 401  # not delayed
    [group] = ok(grid.get("/auth/attempts", headers=SO))
    refused = sign_in(grid, password=WRONG, environ=STRANGER)
    assert refused.status_code == 429 and group["delayed_until"]
    assert int(refused.headers["Retry-After"]) == int(login.FIRST_DELAY.total_seconds())
