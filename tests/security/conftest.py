"""Security tests: fuzzing, the access matrix, tokens, hostile input (SQLite, no broker;
the hostile-input filters also on PostgreSQL). Each module gets its own seeded campus."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from services.registry import SERVICES, create_app
from tests.security.campus import UNREACHABLE_BROKER, Campus
from tests.support.databases import migrated_sqlite

PROBLEM_JSON = "application/problem+json"
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


@cache
def spec(service: str) -> dict:
    """The service's OpenAPI document (the app is built on an empty in-memory database)."""
    app = create_app(service, {"database_url": "sqlite://", "amqp_url": UNREACHABLE_BROKER})
    return app.test_client().get("/openapi.json").get_json()


def operations(service: str) -> list[tuple[str, str, dict]]:
    """(METHOD, path template, operation object) of every documented operation."""
    return [
        (method.upper(), path, operation)
        for path, item in spec(service)["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def all_operations() -> list[tuple[str, str, str]]:
    return [(s, m, p) for s in SERVICES for m, p, _ in operations(s)]


def valid_value(parameter: dict, campus: Campus) -> str:
    """A value a query parameter accepts (for the required companions of a request)."""
    schema, name = parameter.get("schema", {}), parameter["name"]
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("format") == "date":
        return "2021-11-10"
    if schema.get("type") == "integer":
        return str(max(schema.get("minimum", 2021), 2021))
    if schema.get("type") == "boolean":
        return "false"
    known = {
        "unit_code": "JD",
        "cell_id": campus.ids["cell_jd"],
        "campaign_id": campus.ids.get("campaign", ""),
    }
    return known.get(name, campus.ids.get(name.removesuffix("_id") + "_jd", "x"))


def companions(parameters: list[dict], target: str, campus: Campus) -> dict[str, str]:
    """Valid values for the required query parameters other than ``target``."""
    return {
        p["name"]: valid_value(p, campus)
        for p in parameters
        if p.get("in") == "query" and p.get("required") and p["name"] != target
    }


def assert_problem(response, status: int | None = None) -> dict:
    """An error answered as RFC 9457 problem+json whose status is the response's."""
    if status is not None:
        assert response.status_code == status, (response.status_code, response.data[:300])
    assert response.mimetype == PROBLEM_JSON, (response.status_code, response.mimetype)
    body = response.get_json()
    assert body["status"] == response.status_code
    assert body["title"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def sqlite_campus(root: Path, **config) -> Campus:
    urls = {}
    for service in SERVICES:
        urls[service] = migrated_sqlite(service, root / f"{service}.db")
    return Campus(urls, root / "files", **config).seed()


@pytest.fixture(scope="module")
def campus(tmp_path_factory) -> Iterator[Campus]:
    """The four services on SQLite with JD's and XX's data, built through the APIs."""
    campus = sqlite_campus(tmp_path_factory.mktemp("campus"))
    yield campus
    campus.close()
