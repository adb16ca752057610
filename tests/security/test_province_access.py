"""Access to the province installation (issue 19): every operation of its OpenAPI document ×
every campus caller of the matrix and the province office. The policy (access_policy
.PROVINCE_POLICY) covers exactly what is documented; the province office gets the success
status, every campus role 403 (problem+json, Chinese), no token 401; only the infrastructure
paths answer without a token."""

from __future__ import annotations

import re

import pytest

from services.province import create_app
from services.province.login import save_person
from services.province.queries import register_colleges
from shared.api import state
from shared.db import unit_of_work
from shared.migrations import upgrade
from tests.security.access_policy import CALLERS, PROVINCE_OFFICE, PROVINCE_POLICY, Caller, expected
from tests.security.campus import (
    PROVINCE_BODIES,
    PROVINCE_LOGIN,
    PROVINCE_PATH_VALUES,
    UNREACHABLE_BROKER,
)
from tests.security.conftest import HTTP_METHODS, assert_problem
from tests.support.fixtures import bearer

CALLERS_HERE = (*CALLERS, Caller("province_office", PROVINCE_OFFICE))
INFRASTRUCTURE = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('province') / 'province.db'}"
    upgrade("province", url)
    app = create_app({"database_url": url, "amqp_url": UNREACHABLE_BROKER})
    with app.app_context(), unit_of_work(state().session_factory) as session:
        register_colleges(session, {"lzxd": "兰州现代职业学院"})
        save_person(session, PROVINCE_LOGIN["login"], "王丽", PROVINCE_LOGIN["password"])
    return app


def _operations(app) -> set[tuple[str, str, str]]:
    spec = app.test_client().get("/openapi.json").get_json()
    return {
        ("province", method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def _headers(caller: Caller) -> dict[str, str]:
    if caller.role is None:
        return {}
    return bearer(caller.role, unit=caller.unit, sub=f"{caller.name}-sub")


def test_the_policy_covers_every_documented_province_operation(app):
    assert _operations(app) == set(PROVINCE_POLICY)


@pytest.mark.parametrize("caller", CALLERS_HERE, ids=lambda c: c.name)
@pytest.mark.parametrize("operation", sorted(PROVINCE_POLICY), ids=lambda o: f"{o[1]} {o[2]}")
def test_only_the_province_office_reads_the_province(app, operation, caller):
    _, method, path = operation
    target = re.sub(r"{(\w+)}", lambda m: PROVINCE_PATH_VALUES[m.group(1)], path)
    body = PROVINCE_BODIES.get((method, path))
    response = app.test_client().open(target, method=method, headers=_headers(caller), json=body)
    want = expected(PROVINCE_POLICY[operation], caller)
    assert response.status_code == want, (caller.name, target, response.data[:300])
    if want >= 400:
        body = assert_problem(response)
        if want == 403:
            assert "省教育厅" in body["detail"]


def test_only_infrastructure_answers_without_a_token(app):
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        path = rule.rule
        if path in INFRASTRUCTURE or path.startswith(("/docs/", "/openapi")):
            continue
        if path == "/auth/login":  # the province's sign-in: its password is the credential
            continue
        target = re.sub(
            r"<(?:\w+:)?(\w+)>", lambda m: PROVINCE_PATH_VALUES.get(m.group(1), "x"), path
        )
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        assert client.open(target, method=method).status_code == 401, path
