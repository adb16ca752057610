"""Every problem+json a service sends is read by a person: its ``detail`` and each
``invalid_params[].reason`` are Chinese, never an ASCII-only English sentence.

Each documented operation of the four services (the access matrix's campus and valid
requests, tests/security/matrix.py) is sent a set of bad requests: no token, a bad token,
the other unit's manager, the valid request twice (the second often a conflict), an empty
body (missing fields), a body of wrong types with an unknown field, bad query values, ids
that name nothing, a method the path does not take, and a path that does not exist. Every
error answered must carry Chinese (and no English sentence inside it). Then every field of
every schema the services define is checked to carry marshmallow's messages in Chinese
(``shared.messages``), and every field a request may carry to have its Chinese label in the
console's one table (services/console/field_labels.py).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

import pytest
from marshmallow import Schema, fields, validate

from services.console.field_labels import FIELD_LABELS
from services.registry import SERVICES
from services.reporting.work import api as work_api
from shared.messages import is_chinese
from tests.security.campus import SO, XX, Campus
from tests.security.conftest import operations, spec, sqlite_campus
from tests.security.matrix import REQUESTS, Req, Snapshots, request_kwargs, seed_for_matrix, url

BAD_TOKEN = {"Authorization": "Bearer not-a-token"}
NOWHERE = "00000000-0000-0000-0000-000000000000"
WRONG = {str: 12345, int: "十二", float: "abc", bool: "maybe", list: "x", dict: 7}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("language")
    campus = seed_for_matrix(sqlite_campus(root))
    snapshots = Snapshots(campus, root)
    snapshots.take()
    yield campus, snapshots
    campus.close()


# Four English words in a row: a sentence left in English inside a Chinese one.
SENTENCE = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}")  # a list of codes has commas


def english(problem: dict[str, Any]) -> list[str]:
    """The texts of ``problem`` a person would read that carry no Chinese, or an English
    sentence beside it."""
    texts = [problem.get("detail")] + [p.get("reason") for p in problem.get("invalid_params", [])]
    return [t for t in texts if t is not None and (not is_chinese(t) or SENTENCE.search(t))]


def wrong_types(body: Any) -> Any:
    if not isinstance(body, dict):
        return {"unexpected": 1}
    return {"unexpected": 1, **{key: WRONG.get(type(v), []) for key, v in body.items()}}


def bad_query(operation: dict) -> dict[str, str]:
    return {
        p["name"]: "不是-a-value" if p.get("schema", {}).get("type") == "string" else "x!"
        for p in operation.get("parameters", [])
        if p.get("in") == "query"
    }


def requests_for(campus: Campus, service: str, method: str, path: str, operation: dict):
    """(label, method, url, headers, kwargs) of the bad requests one operation is sent
    (kwargs made afresh for each: an upload's stream is read once)."""
    req = REQUESTS.get((service, method, path), Req())
    target = url(campus, service, path, req)

    def valid(**change: Any) -> dict[str, Any]:
        return {**request_kwargs(campus, req), **change}

    yield "no token", method, target, {}, valid()
    yield "bad token", method, target, BAD_TOKEN, valid()
    yield "other unit", method, target, XX, valid()
    yield "valid", method, target, SO, valid()
    yield "again", method, target, SO, valid()
    body = valid().get("json")
    if body is not None:
        yield "empty body", method, target, SO, valid(json={})
        yield "wrong types", method, target, SO, valid(json=wrong_types(body))
    if bad_query(operation):
        yield "bad query", method, target, SO, valid(query_string=bad_query(operation))
    if "{" in path:
        yield "nothing there", method, re.sub(r"{(\w+)}", NOWHERE, path), SO, valid()
    yield "wrong method", "PATCH" if method != "PATCH" else "TRACE", target, SO, {}


@pytest.mark.parametrize("service", SERVICES)
def test_every_problem_a_service_sends_is_in_chinese(world, monkeypatch, service):
    campus, snapshots = world
    found: list[tuple] = []
    seen = 0
    for method, path, operation in operations(service):
        req = REQUESTS.get((service, method, path), Req())
        if req.clock is not None:
            monkeypatch.setattr(work_api, "now", lambda clock=req.clock: clock)
        snapshots.restore(service)
        for label, verb, target, headers, kwargs in requests_for(
            campus, service, method, path, operation
        ):
            response = campus.call(service, verb, target, headers, **kwargs)
            if response.status_code >= 400 and response.is_json:
                seen += 1
                words = english(response.get_json())
                if words:
                    found.append((label, verb, target, response.status_code, words))
        snapshots.dirty.add(service)
    response = campus.call(service, "GET", "/no/such/path", SO)
    seen += 1
    if english(response.get_json()):
        found.append(("no such path", response.get_json()))
    assert seen > 50, seen  # the requests did reach the refusals
    assert not found, "\n".join(map(repr, found))


def _schemas() -> list[type[Schema]]:
    out, todo = [], list(Schema.__subclasses__())
    while todo:
        cls = todo.pop()
        out.append(cls)
        todo.extend(cls.__subclasses__())
    return [cls for cls in out if cls.__module__.startswith(("services.", "shared."))]


def test_every_field_of_every_schema_speaks_chinese(world):
    """The services' schemas (imported by the apps above) were made with the Chinese
    messages: no field kept marshmallow's English defaults."""
    schemas = _schemas()
    assert len(schemas) > 50
    found = []
    for schema in schemas:
        for name, field in schema._declared_fields.items():
            for key, message in field.error_messages.items():
                if isinstance(message, str) and not is_chinese(message):
                    found.append((schema.__module__, schema.__name__, name, key, message))
            for validator in getattr(field, "validators", []):
                error = getattr(validator, "error", None)
                if isinstance(error, str) and not is_chinese(error):
                    found.append((schema.__module__, schema.__name__, name, "validator", error))
    assert not found, "\n".join(map(repr, found))


def _input_fields(doc: dict, schema: dict) -> Iterator[str]:
    """The names of a request body's fields, nested ones included."""
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    for name, prop in (schema.get("properties") or {}).items():
        if prop.get("readOnly"):
            continue
        yield name
        inner = prop.get("items", prop)
        if "$ref" in inner or "properties" in inner:
            yield from _input_fields(doc, inner)


def test_every_field_a_service_may_name_has_a_chinese_label():
    """A refusal names fields by their API names; the console shows each by its label from
    the one table (services/console/field_labels.py): every query parameter and request
    body field of the four services has one."""
    unlabelled = set()
    for service in SERVICES:
        doc = spec(service)
        for method, path, operation in operations(service):
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            for content in operation.get("requestBody", {}).get("content", {}).values():
                names += _input_fields(doc, content.get("schema", {}))
            unlabelled |= {(n, service, method, path) for n in names if n not in FIELD_LABELS}
    assert not unlabelled, "\n".join(map(repr, sorted(unlabelled)))


def test_marshmallow_speaks_chinese_for_every_field_and_validator():
    """Every default message of marshmallow's fields, schemas and validators (a new
    marshmallow version may add one): Chinese once shared is imported."""
    found = []
    for name, cls in inspect.getmembers(fields, inspect.isclass):
        if issubclass(cls, fields.Field):
            merged: dict[str, str] = {}
            for base in reversed(cls.__mro__):  # as Field.__init__ merges them
                merged.update(getattr(base, "default_error_messages", {}))
            found += [(name, key, text) for key, text in merged.items() if not is_chinese(text)]
    found += [("Schema", k, v) for k, v in Schema().error_messages.items() if not is_chinese(v)]
    for name, cls in inspect.getmembers(validate, inspect.isclass):
        for attribute, text in vars(cls).items():
            message = attribute.startswith(("message", "default_message"))
            if message and isinstance(text, str) and not is_chinese(text):
                found.append((name, attribute, text))
    assert not found, found


def test_an_emptied_field_is_asked_for_in_words_a_person_reads():
    """A form field emptied (sent as null) is refused in Chinese a person reads beside the
    field, without the programmer's word "null"."""

    class Form(Schema):
        starts_on = fields.Date(required=True)

    said = Form().validate({"starts_on": None})["starts_on"][0]
    assert is_chinese(said) and "null" not in said.lower()
