"""The sign-in limit on the real PostgreSQL: concurrent wrong guesses cannot get more
password checks than the limit allows, whichever of a person's logins they use."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.grid import login
from services.registry import create_app
from tests.support.fixtures import bearer

pytestmark = pytest.mark.integration

SO = bearer("security_office", sub="office")
PASSWORD = "Anquan2021!"
UNREACHABLE_BROKER = "amqp://guest:guest@127.0.0.1:1/%2F"
PARALLEL = 12


@pytest.fixture
def grid(databases):
    app = create_app(
        "grid", {"database_url": databases.urls["grid"], "amqp_url": UNREACHABLE_BROKER}
    )
    client = app.test_client()
    unit = {"code": "JD", "name": "机电工程学院", "kind": "college"}
    assert client.post("/units", json=unit, headers=SO).status_code == 201
    body = {
        "name": "张网格",
        "phone": "13800000003",
        "unit_code": "JD",
        "staff_no": "JD101",
        "roles": ["grid_staff"],
    }
    response = client.post("/people", json=body, headers=SO)
    assert response.status_code == 201, response.get_json()
    person_id = response.get_json()["id"]
    password = client.put(f"/people/{person_id}/password", json={"password": PASSWORD}, headers=SO)
    assert password.status_code == 204
    return app, person_id


def test_concurrent_wrong_guesses_cannot_exceed_the_limit(grid, databases):
    app, person_id = grid
    # Half the guesses by staff number, half by person id: one allowance for the person.
    logins = ["JD101" if i % 2 else person_id for i in range(PARALLEL)]
    start = threading.Barrier(PARALLEL)

    def guess(account: str) -> int:
        client = app.test_client()
        start.wait()
        return client.post(
            "/auth/login", json={"login": account, "password": "Wrong-password-1"}
        ).status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = list(pool.map(guess, logins))
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= login.MAX_FAILURES_PER_LOGIN, statuses
    failures = databases.scalar(
        "grid",
        "SELECT count(*) FROM login_attempts WHERE person_id = :p AND NOT succeeded",
        p=person_id,
    )
    assert failures == statuses.count(401)
    # The right password now waits too, by either login, with a clear Retry-After.
    for account in ("JD101", person_id):
        limited = app.test_client().post(
            "/auth/login", json={"login": account, "password": PASSWORD}
        )
        if statuses.count(401) == login.MAX_FAILURES_PER_LOGIN:
            assert limited.status_code == 429
            assert int(limited.headers["Retry-After"]) > 0
        else:  # some guesses were refused while others were in flight (conservative)
            assert limited.status_code in (200, 429)
