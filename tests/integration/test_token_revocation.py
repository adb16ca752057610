"""Signing out, or losing a role, ends a token on all four services within seconds: the
grid refuses it at once and announces ``access.revoked``; the other services' workers
(real RabbitMQ, real PostgreSQL) write it into their own revocation tables, which their
web apps read."""

from __future__ import annotations

import pytest

from services.registry import SERVICES, create_app
from tests.support.fixtures import bearer, suite_env
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

SO = bearer("security_office")
PASSWORD = "revoke-me-2026"
# A page of each service any signed-in person may read.
READS = {
    "grid": "/units",
    "hazards": "/labels",
    "education": "/activities",
    "reporting": "/labels",
}
WITHIN = 5.0  # seconds: the promise


def _statuses(apps, token: str) -> dict[str, int]:
    headers = {"Authorization": f"Bearer {token}"}
    return {name: apps[name].get(READS[name], headers=headers).status_code for name in SERVICES}


def _all(code: int) -> dict[str, int]:
    return dict.fromkeys(SERVICES, code)


@pytest.fixture
def suite(databases, amqp_url, processes):
    env = suite_env(databases, amqp_url)
    for service in SERVICES:
        processes.worker(service, env)
    apps = {
        name: create_app(
            name, {"amqp_url": amqp_url, "database_url": databases.urls[name]}
        ).test_client()
        for name in SERVICES
    }
    grid = apps["grid"]
    assert grid.post("/units", json={"code": "JD", "name": "机电", "kind": "college"}, headers=SO)
    # Every consumer is up once the unit reached its projection.
    for name in ("hazards", "education", "reporting"):
        wait_until(
            lambda name=name: databases.scalar(name, "SELECT count(*) FROM grid_units") == 1,
            timeout=60,
            message=f"{name} consuming",
        )
    person = grid.post(
        "/people",
        json={
            "name": "王敏",
            "phone": "13800000009",
            "unit_code": "JD",
            "staff_no": "JD900",
            "roles": ["unit_manager", "leadership"],
        },
        headers=SO,
    ).get_json()
    response = grid.put(f"/people/{person['id']}/password", json={"password": PASSWORD}, headers=SO)
    assert response.status_code == 204
    return apps, person


def _sign_in(grid) -> str:
    response = grid.post("/auth/login", json={"login": "JD900", "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def test_a_signed_out_token_is_refused_everywhere_within_seconds(suite):
    apps, _person = suite
    signed_out, other = _sign_in(apps["grid"]), _sign_in(apps["grid"])
    assert _statuses(apps, signed_out) == _all(200)
    headers = {"Authorization": f"Bearer {signed_out}"}
    assert apps["grid"].post("/auth/logout", headers=headers).status_code == 204
    wait_until(
        lambda: _statuses(apps, signed_out) == _all(401),
        timeout=WITHIN,
        message="the signed-out token refused by all four services",
    )
    assert _statuses(apps, other) == _all(200)  # the person's other session goes on


def test_a_removed_role_ends_every_token_of_the_person_within_seconds(suite):
    apps, person = suite
    tokens = [_sign_in(apps["grid"]), _sign_in(apps["grid"])]
    assert all(_statuses(apps, t) == _all(200) for t in tokens)
    response = apps["grid"].patch(
        f"/people/{person['id']}", json={"roles": ["unit_manager"]}, headers=SO
    )
    assert response.status_code == 200, response.get_json()
    wait_until(
        lambda: all(_statuses(apps, t) == _all(401) for t in tokens),
        timeout=WITHIN,
        message="the person's tokens refused by all four services",
    )
    fresh = _sign_in(apps["grid"])  # signing in again gives the roles the person has now
    assert _statuses(apps, fresh) == _all(200)
