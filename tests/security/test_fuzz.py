"""API fuzzing: schemathesis against each service's OpenAPI document, in-process (WSGI).

Every documented operation of the four services gets positive (schema-valid) and negative
(schema-violating) requests, authenticated as the security office; half of them name JD's
real resources in the path (``Campus.path_values``) so the fuzzer reaches past the 404s.
Each response must: not be a 5xx; conform to the documented schema and content type of
its status; and, for every 4xx/5xx, be ``application/problem+json`` whose ``status``
equals the HTTP status. A cheaper pass does the same as JD's unit manager.

Hypothesis is derandomized (a fixed seed per test), keeps no example database and does
not shrink, so a CI run is deterministic and bounded; ``CAMPUS_FUZZ_EXAMPLES`` (default
12 per operation and mode) raises the budget for a deeper local run. Calendar edges that
random generation rarely hits (0001-01-01, 9999-12-31, 10**30) are sent to every date and
integer query parameter by ``test_calendar_and_integer_edges``. Generated bodies are also sent
made hostile (a member nested 1,000 deep, an integer of 5,000 digits, lone surrogates in
every string: ``test_hostile_bodies_in_generated_requests``): a problem, never a 5xx.
"""

from __future__ import annotations

import json
import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from services.registry import SERVICES
from tests.security.campus import Campus
from tests.security.conftest import (
    PROBLEM_JSON,
    all_operations,
    assert_problem,
    companions,
    operations,
)
from tests.support.fixtures import bearer

EXAMPLES = int(os.environ.get("CAMPUS_FUZZ_EXAMPLES", "12"))
SECURITY_OFFICE = bearer("security_office", sub="fuzzer")
JD_MANAGER = bearer("unit_manager", unit="JD", sub="fuzzer-jd")


def problem_json(ctx, response, case) -> None:
    """Every error is RFC 9457 problem+json and its ``status`` member is the HTTP status."""
    if response.status_code < 400:
        return
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.split(";")[0].strip() == "application/problem+json", (
        f"{response.status_code} answered as {content_type!r}"
    )
    body = response.json()
    assert body.get("status") == response.status_code, f"problem status {body.get('status')}"


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, problem_json]


@pytest.fixture(scope="module")
def schemas(campus: Campus) -> dict[str, schemathesis.BaseSchema]:
    return {s: schemathesis.openapi.from_wsgi("/openapi.json", campus.apps[s]) for s in SERVICES}


def strategy(operation, known: dict[str, str], modes: tuple[GenerationMode, ...]):
    """Generated cases, and the same with the path naming existing resources."""
    names = re.findall(r"{(\w+)}", operation.path)
    fixed = {name: known[name] for name in names}
    options = []
    for mode in modes:
        options.append(operation.as_strategy(generation_mode=mode))
        if fixed:
            options.append(operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    return st.one_of(options)


def fuzz(operation, known: dict[str, str], auth: dict[str, str], examples: int, modes) -> None:
    @given(case=strategy(operation, known, modes))
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        case.headers = {**(case.headers or {}), **auth}
        response = case.call()
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.mark.parametrize(
    ("service", "method", "path"),
    [pytest.param(s, m, p, id=f"{s}:{m} {p}") for s, m, p in all_operations()],
)
def test_operation_as_security_office(schemas, campus, service, method, path):
    operation = schemas[service][path][method]
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    fuzz(operation, campus.path_values(service), SECURITY_OFFICE, EXAMPLES, modes)


@pytest.mark.parametrize("service", SERVICES)
def test_service_as_unit_manager(schemas, campus, service):
    """A scoped caller takes other branches (403s, filtered lists, masked fields)."""
    failures = []
    for method, path, _ in operations(service):
        operation = schemas[service][path][method]
        try:
            fuzz(operation, campus.path_values(service), JD_MANAGER, 3, (GenerationMode.POSITIVE,))
        except Exception as exc:  # collect them all: one report per service
            failures.append(f"{method} {path}: {exc}")
    assert not failures, "\n\n".join(failures)


# -- calendar and integer edges ---------------------------------------------------------
EDGES = {
    "date": ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01"],
    "date-time": ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"],
    "integer": ["-1", "0", str(2**63), str(10**30)],
}


def _query_parameters(operation: dict) -> list[dict]:
    return [p for p in operation.get("parameters", []) if p.get("in") == "query"]


def _kind(parameter: dict) -> str | None:
    schema = parameter.get("schema", {})
    if schema.get("type") == "integer":
        return "integer"
    return schema.get("format") if schema.get("format") in EDGES else None


def _edge_cases() -> list:
    cases = []
    for service in SERVICES:
        for method, path, operation in operations(service):
            if method != "GET":
                continue
            for parameter in _query_parameters(operation):
                if _kind(parameter):
                    case_id = f"{service}:{path}?{parameter['name']}"
                    cases.append(pytest.param(service, path, parameter["name"], id=case_id))
    return cases


@pytest.mark.parametrize(("service", "path", "name"), _edge_cases())
def test_calendar_and_integer_edges(campus, service, path, name):
    """The far ends of the calendar and of integers are a 422 (or an answer), never a 500."""
    operation = next(o for m, p, o in operations(service) if m == "GET" and p == path)
    parameters = _query_parameters(operation)
    target = next(p for p in parameters if p["name"] == name)
    required = companions(parameters, name, campus)
    url = path.format(**campus.path_values(service))
    for value in EDGES[_kind(target)]:
        response = campus.call(
            service, "GET", url, SECURITY_OFFICE, query_string={**required, name: value}
        )
        assert response.status_code < 500, (url, name, value, response.get_data(as_text=True))
        if response.status_code >= 400:
            assert_problem(response)


@pytest.mark.parametrize("service", SERVICES)
def test_every_success_response_documents_its_content(service):
    """A PDF, workbook, calendar or roster says its media type (flask-smorest would leave a
    response declared with only a content type without ``content``: shared.api fills it)."""
    undocumented = []
    for method, path, operation in operations(service):
        for status, response in operation["responses"].items():
            if status.startswith("2") and status != "204":
                content = response.get("content", {})
                if not content or not all("schema" in c for c in content.values()):
                    undocumented.append(f"{method} {path} {status}")
    assert not undocumented, undocumented


# -- hostile bodies (issue 14 item 5) ---------------------------------------------------
DEEP = "[" * 1000 + "]" * 1000
HUGE = "9" * 5000


def _with_surrogates(value):
    """Every string of a generated body (keys too) with a lone surrogate in it."""
    if isinstance(value, str):
        return value + "\ud800"
    if isinstance(value, dict):
        return {_with_surrogates(k): _with_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_surrogates(v) for v in value]
    return value


def hostile_bodies(body) -> dict[str, str]:
    """The generated body made hostile three ways: a member nested 1,000 deep, a member
    that is an integer of 5,000 digits, every string carrying "\\ud800"."""
    members = body if isinstance(body, dict) and body else {"value": body}
    first = json.dumps(next(iter(members)))
    rest = json.dumps({k: v for k, v in list(members.items())[1:]}, default=str)[1:]
    joined = ", " + rest if rest != "}" else "}"
    return {
        "deep": "{" + first + ": " + DEEP + joined,
        "huge": "{" + first + ": " + HUGE + joined,
        "surrogate": json.dumps(_with_surrogates(members), default=str),
    }


def _json_body_operations(service: str) -> list[tuple[str, str]]:
    return [
        (method, path)
        for method, path, operation in operations(service)
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_hostile_bodies_in_generated_requests(schemas, campus, service):
    """Schema-valid requests whose body is made hostile: never a 5xx, always a problem."""
    failures: list[str] = []
    for method, path in _json_body_operations(service):
        _send_hostile(schemas[service][path][method], campus, service, failures)
    assert not failures, failures


def _send_hostile(operation, campus, service: str, failures: list[str]) -> None:
    method, path = operation.method.upper(), operation.path

    @given(case=strategy(operation, campus.path_values(service), (GenerationMode.POSITIVE,)))
    @settings(
        max_examples=3,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        for what, body in hostile_bodies(case.body).items():
            response = campus.call(
                service,
                method,
                case.formatted_path,
                SECURITY_OFFICE,
                query_string=case.query or None,
                data=body.encode("utf-8", "surrogatepass"),
                content_type="application/json",
            )
            if response.status_code >= 500 or response.mimetype != PROBLEM_JSON:
                failures.append(f"{method} {path} {what}: {response.status_code}")

    run()
