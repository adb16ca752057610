"""Sign-in for people known to the grid (SQLite, no broker): roles set by the security
office, scrypt password hashes, tokens with the person's scope, rate limits, the CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select

from services.cli import main
from services.grid import login
from services.grid.models import LoginAttempt, Person
from shared.api import state
from shared.auth import decode_token
from shared.config import DEV_JWT_SECRET
from shared.timeutil import utcnow
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
JD_MANAGER = bearer("unit_manager", unit="JD", sub="manager-JD")
PASSWORD = "Anquan2021!"
ELSEWHERE = {"REMOTE_ADDR": "10.9.8.7"}  # not a trusted proxy


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


@pytest.fixture
def grid(make_app):
    app = make_app("grid")
    client = app.test_client()
    ok(
        client.post(
            "/units", json={"code": "JD", "name": "机电工程学院", "kind": "college"}, headers=SO
        ),
        201,
    )
    client.app_ = app
    return client


def person(grid, staff_no="JD101", roles=("grid_staff",), headers=SO) -> dict:
    body = {
        "name": "张网格",
        "phone": "13800000003",
        "unit_code": "JD",
        "staff_no": staff_no,
        "roles": list(roles),
    }
    return ok(grid.post("/people", json=body, headers=headers), 201)


def set_password(grid, person_id, password=PASSWORD, headers=SO):
    return grid.put(f"/people/{person_id}/password", json={"password": password}, headers=headers)


def sign_in(grid, account="JD101", password=PASSWORD, environ=None):
    return grid.post(
        "/auth/login", json={"login": account, "password": password}, environ_base=environ or {}
    )


def test_roles_are_the_security_office_s_to_give(grid):
    staff = person(grid)
    assert staff["roles"] == ["grid_staff"] and staff["can_sign_in"] is False
    response = grid.post(
        "/people",
        json={"name": "李四", "phone": "13800000009", "unit_code": "JD", "roles": ["unit_manager"]},
        headers=JD_MANAGER,
    )
    assert response.status_code == 403
    # A unit manager may still edit their people, just not widen their roles.
    ok(grid.patch(f"/people/{staff['id']}", json={"name": "张网格员"}, headers=JD_MANAGER))
    assert (
        grid.patch(
            f"/people/{staff['id']}", json={"roles": ["security_office"]}, headers=JD_MANAGER
        ).status_code
        == 403
    )
    updated = ok(
        grid.patch(
            f"/people/{staff['id']}", json={"roles": ["unit_manager", "grid_staff"]}, headers=SO
        )
    )
    assert updated["roles"] == ["grid_staff", "unit_manager"]
    bad = grid.patch(f"/people/{staff['id']}", json={"roles": ["janitor"]}, headers=SO)
    assert bad.status_code == 422 and bad.get_json()["invalid_params"][0]["name"] == "roles.0"


def test_password_is_set_by_the_security_office_and_stored_hashed(grid):
    staff = person(grid)
    assert set_password(grid, staff["id"], headers=JD_MANAGER).status_code == 403
    weak = set_password(grid, staff["id"], "12345678")
    assert weak.status_code == 422
    assert set_password(grid, staff["id"]).status_code == 204
    with grid.app_.app_context(), state().session_factory() as session:
        stored = session.get(Person, staff["id"]).password_hash
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    assert ok(grid.get(f"/people/{staff['id']}", headers=SO))["can_sign_in"] is True
    assert "password_hash" not in grid.get(f"/people/{staff['id']}", headers=SO).get_json()


def test_sign_in_gives_a_token_with_the_person_s_roles_and_unit(grid):
    staff = person(grid)
    set_password(grid, staff["id"])
    body = ok(sign_in(grid))
    principal = decode_token(DEV_JWT_SECRET, body["access_token"])
    assert principal.sub == staff["id"] and principal.name == "张网格"
    assert principal.roles == {"grid_staff"} and principal.unit == "JD"
    assert body["token_type"] == "Bearer" and body["expires_in"] == login.TOKEN_TTL_SECONDS
    assert body["person"] == {
        "id": staff["id"],
        "name": "张网格",
        "unit_code": "JD",
        "unit_name": "机电工程学院",  # the console's header shows it
        "roles": ["grid_staff"],
        "number": "JD101",  # 学号, else 工号: how activities enrol people (check-in page)
    }
    # The token works on the APIs like any other bearer token.
    bearer_header = {"Authorization": f"Bearer {body['access_token']}"}
    assert grid.get("/units", headers=bearer_header).status_code == 200


def test_wrong_password_and_unknown_account_get_the_same_answer(grid):
    set_password(grid, person(grid)["id"])
    wrong = sign_in(grid, password="Wrong-password-1")
    unknown = sign_in(grid, account="nobody", password="Wrong-password-1")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["detail"] == unknown.get_json()["detail"]
    no_password = person(grid, staff_no="JD102")
    assert sign_in(grid, account=no_password["id"]).status_code == 401


def test_a_person_without_roles_cannot_sign_in(grid):
    nobody = person(grid, staff_no="JD103", roles=())
    set_password(grid, nobody["id"])
    assert sign_in(grid, account="JD103").status_code == 403


def test_failed_attempts_are_limited_per_account(grid):
    set_password(grid, person(grid)["id"])
    for _ in range(login.MAX_FAILURES_PER_LOGIN):
        assert sign_in(grid, password="Wrong-password-1").status_code == 401
    limited = sign_in(grid)  # even the right password waits now
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= login.WINDOW.total_seconds() + 1
    assert limited.get_json()["retry_after"] == int(limited.headers["Retry-After"])


def test_a_success_resets_the_account_count(grid):
    set_password(grid, person(grid)["id"])
    for _ in range(login.MAX_FAILURES_PER_LOGIN - 1):
        sign_in(grid, password="Wrong-password-1")
    ok(sign_in(grid))
    for _ in range(login.MAX_FAILURES_PER_LOGIN - 1):
        assert sign_in(grid, password="Wrong-password-1").status_code == 401
    ok(sign_in(grid))


def test_failed_attempts_are_limited_per_address(grid, monkeypatch):
    monkeypatch.setattr(login, "MAX_FAILURES_PER_IP", 6)  # fewer scrypt checks in a unit test
    set_password(grid, person(grid)["id"])
    for i in range(login.MAX_FAILURES_PER_IP):
        account = f"guess-{i}"  # a different account each time: only the address adds up
        assert sign_in(grid, account, "Wrong-password-1", ELSEWHERE).status_code == 401
    assert sign_in(grid, "guess-x", "Wrong-password-1", ELSEWHERE).status_code == 429
    # Invented names stop invented names only: the person there still signs in (people's
    # failures have their own ceiling, tests/unit/test_sign_in_ceilings.py).
    assert sign_in(grid, environ=ELSEWHERE).status_code == 200


def test_forwarded_address_counts_only_from_a_trusted_proxy(grid):
    """Only nginx and the console (from 127.0.0.2, shared.client_ip) name the client: a
    plain local process on 127.0.0.1 is counted under its own address, header or not."""
    set_password(grid, person(grid)["id"])
    for remote, forwarded in (
        ("10.9.8.7", "1.2.3.4"),  # a client elsewhere
        ("127.0.0.1", "1.2.3.5"),  # a script on the server itself
        ("127.0.0.2", "5.6.7.8, 127.0.0.1"),  # the proxies: nginx, the console
    ):
        grid.post(
            "/auth/login",
            json={"login": "JD101", "password": "Wrong-password-1"},
            headers={"X-Forwarded-For": forwarded},
            environ_base={"REMOTE_ADDR": remote},
        )
    with grid.app_.app_context(), state().session_factory() as session:
        addresses = session.scalars(select(LoginAttempt.ip)).all()
    assert sorted(addresses) == ["10.9.8.7", "127.0.0.1", "5.6.7.8"]


def test_a_person_changes_their_own_password(grid):
    set_password(grid, person(grid)["id"])
    token = ok(sign_in(grid))["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    body = {"current_password": "Wrong-password-1", "new_password": "Xin-mima-2022"}
    assert grid.post("/auth/password", json=body, headers=auth).status_code == 401
    body["current_password"] = PASSWORD
    assert grid.post("/auth/password", json=body, headers=auth).status_code == 204
    assert sign_in(grid).status_code == 401
    ok(sign_in(grid, password="Xin-mima-2022"))


def test_cli_sets_a_password_and_roles(grid, tmp_path, monkeypatch):
    staff = person(grid)
    monkeypatch.setenv("GRID_DATABASE_URL", grid.app_.extensions["campus"].settings.database_url)
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["set-password", "--person", "JD101", "--role", "unit_manager", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "张网格" in result.output
    principal = decode_token(DEV_JWT_SECRET, ok(sign_in(grid))["access_token"])
    assert principal.roles == {"unit_manager"} and principal.sub == staff["id"]
    weak = runner.invoke(
        main, ["set-password", "--person", "JD101", "--password-stdin"], input="x\n"
    )
    assert weak.exit_code == 2 and "密码至少" in weak.output
    missing = runner.invoke(
        main, ["set-password", "--person", "nobody", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert missing.exit_code == 2 and "no person" in missing.output


def test_staff_number_and_person_id_share_one_allowance(grid):
    staff = person(grid)
    set_password(grid, staff["id"])
    half = login.MAX_FAILURES_PER_LOGIN // 2
    for _ in range(half):
        assert sign_in(grid, "JD101", "Wrong-password-1").status_code == 401
    for _ in range(login.MAX_FAILURES_PER_LOGIN - half):
        assert sign_in(grid, staff["id"], "Wrong-password-1").status_code == 401
    assert sign_in(grid, "JD101").status_code == 429
    assert sign_in(grid, staff["id"]).status_code == 429
    assert sign_in(grid, f" {staff['id']} ").status_code == 429
    # An unknown login is counted per typed string, and never against a person.
    for _ in range(login.MAX_FAILURES_PER_LOGIN):
        assert sign_in(grid, "JD999", "Wrong-password-1").status_code == 401
    assert sign_in(grid, "JD999", "Wrong-password-1").status_code == 429
    assert sign_in(grid, "JD998", "Wrong-password-1").status_code == 401


def test_refused_attempts_are_not_counted_and_the_check_counts_in_flight_ones(grid):
    staff = person(grid)
    set_password(grid, staff["id"])
    for _ in range(login.MAX_FAILURES_PER_LOGIN):
        sign_in(grid, password="Wrong-password-1")
    for _ in range(3):
        assert sign_in(grid).status_code == 429
    with grid.app_.app_context(), state().session_factory() as session:
        rows = session.scalars(select(LoginAttempt)).all()
        assert len(rows) == login.MAX_FAILURES_PER_LOGIN  # the 429s left no trace
        assert {r.person_id for r in rows} == {staff["id"]}
        # An attempt recorded but not yet finished (another worker's) counts already.
        session.execute(delete(LoginAttempt))
        now = utcnow()
        ids = [
            login.begin_attempt(session, "JD101", "10.0.0.1", now)
            for _ in range(login.MAX_FAILURES_PER_LOGIN)
        ]
        session.commit()
        for attempt in ids:  # the limit's worth in flight at once: each may go on
            login.check_rate_limits(session, attempt, now)
        # One more from the same address (limits are per account and address).
        one_more = login.begin_attempt(session, staff["id"], "10.0.0.1", now)
        session.commit()
        with pytest.raises(login.TooManyAttempts):
            login.check_rate_limits(session, one_more, now)


def test_a_password_change_counts_against_the_same_person(grid):
    staff = person(grid)
    set_password(grid, staff["id"])
    token = ok(sign_in(grid))["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    body = {"current_password": "Wrong-password-1", "new_password": "Xin-mima-2022"}
    for _ in range(login.MAX_FAILURES_PER_LOGIN):
        assert grid.post("/auth/password", json=body, headers=auth).status_code == 401
    assert sign_in(grid).status_code == 429  # the same person's allowance


def test_sign_out_ends_the_token_for_the_console_s_session_check(grid):
    staff = person(grid)
    set_password(grid, staff["id"])
    first = {"Authorization": f"Bearer {ok(sign_in(grid))['access_token']}"}
    assert grid.get("/auth/session", headers=first).status_code == 204
    assert grid.get("/auth/session").status_code == 401
    assert grid.post("/auth/logout", headers=first).status_code == 204
    assert grid.post("/auth/logout", headers=first).status_code == 401  # ended already
    refused = grid.get("/auth/session", headers=first)
    assert refused.status_code == 401 and "登录已失效" in refused.get_json()["detail"]
    second = {"Authorization": f"Bearer {ok(sign_in(grid))['access_token']}"}  # a new session
    assert grid.get("/auth/session", headers=second).status_code == 204
    # Not only the console's check: the grid's APIs refuse the signed-out token too.
    assert grid.get("/units", headers=first).status_code == 401
    assert grid.get("/units", headers=second).status_code == 200
