"""Hostile JSON bodies (issue 14 item 5): every JSON endpoint of the four services, the
unauthenticated sign-in too, answers a body nested 1,000 deep, an integer literal of 5,000
digits and a lone surrogate ("\\ud800") in a text field with a 4xx problem+json in Chinese
(the surrogate naming its field), never a 500. Before, each was a 500 on every endpoint:
RecursionError, Python's int max str digits, and a string that no UTF-8 text can hold.
"""

from __future__ import annotations

import re

import pytest

from services.registry import SERVICES
from tests.security.campus import SO, Campus
from tests.security.conftest import assert_problem, operations

DEEP = "[" * 1000 + "]" * 1000
HUGE = "9" * 5000
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def json_operations(service: str) -> list[tuple[str, str]]:
    """(METHOD, path template) of every documented operation taking a JSON body."""
    return [
        (method, path)
        for method, path, operation in operations(service)
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


def _json_cases() -> list:
    return [
        pytest.param(service, method, path, id=f"{service}:{method} {path}")
        for service in SERVICES
        for method, path in json_operations(service)
    ]


def send(campus: Campus, service: str, method: str, path: str, body: str, headers=SO):
    url = path.format(**campus.path_values(service))
    return campus.call(
        service, method, url, headers, data=body.encode(), content_type="application/json"
    )


def test_every_service_has_json_endpoints_to_probe():
    """The parametrisation below reaches every service (and the sign-in)."""
    assert all(json_operations(service) for service in SERVICES)
    assert ("POST", "/auth/login") in json_operations("grid")


@pytest.mark.parametrize(("service", "method", "path"), _json_cases())
def test_hostile_bodies_are_a_problem_not_a_server_error(campus, service, method, path):
    bodies = {
        "nested 1,000 deep": (DEEP, 400),
        "nested 1,000 deep in a field": ('{"description": ' + DEEP + "}", 400),
        "a 5,000-digit integer": ('{"page": ' + HUGE + "}", 400),
        "NaN": ('{"count": NaN}', 400),
    }
    for what, (body, status) in bodies.items():
        response = send(campus, service, method, path, body)
        problem = assert_problem(response, status)
        assert CHINESE.search(problem["detail"]), (what, problem)
        assert problem["invalid_params"][0]["location"] == "json", (what, problem)


@pytest.mark.parametrize(("service", "method", "path"), _json_cases())
def test_a_lone_surrogate_is_a_422_naming_its_field(campus, service, method, path):
    for body, field in (
        ('{"description": "x\\ud800y"}', "description"),
        ('{"items": [{"name": "\\udfff"}]}', "items.0.name"),
        ('{"\\ud800": 1}', "\\ud800"),
    ):
        problem = assert_problem(send(campus, service, method, path, body), 422)
        names = [p["name"] for p in problem["invalid_params"]]
        assert names == [field], (body, problem)
        assert CHINESE.search(problem["detail"]), problem


def test_sign_in_refuses_hostile_bodies_without_a_token(campus):
    """The public sign-in parses the body before anyone is known: same answers."""
    for body, status in (
        (DEEP, 400),
        ('{"login": "JD101", "password": ' + HUGE + "}", 400),
        ('{"login": "JD\\ud800", "password": "x"}', 422),
    ):
        response = send(campus, "grid", "POST", "/auth/login", body, headers=None)
        assert_problem(response, status)


def test_a_surrogate_pair_is_text_and_is_kept(campus):
    """A correct pair (an emoji written as two escapes) is ordinary text, not refused."""
    body = '{"login": "JD\\ud83d\\ude00", "password": "Wrong-password-1"}'
    response = send(campus, "grid", "POST", "/auth/login", body, headers=None)
    assert_problem(response, 401)  # unknown account: the name was read and looked up


def test_malformed_json_is_a_400_in_chinese(campus):
    problem = assert_problem(send(campus, "hazards", "POST", "/hazards", '{"unit_code": '), 400)
    assert CHINESE.search(problem["detail"]) and problem["invalid_params"][0]["name"] == "(body)"


def test_an_empty_json_body_still_names_the_missing_fields(campus):
    problem = assert_problem(send(campus, "grid", "POST", "/auth/login", "", headers=None), 422)
    assert {p["name"] for p in problem["invalid_params"]} >= {"login", "password"}
