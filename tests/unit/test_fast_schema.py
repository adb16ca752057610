"""The compiled schemas (shared.events.fast_schema) the consumer checks events with: they
pass what the catalogue's marshmallow schemas pass, and never pass what those refuse."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest

from shared.events import catalog
from shared.events.envelope import _SCHEMA, Envelope
from shared.events.fast_schema import compile_schema
from tests.support.reporting import hazard_event

BAD_VALUES = (
    None,
    "",
    "x" * 70,
    "discovered",
    "general",
    0,
    -1,
    1.5,
    True,
    "1",
    "2021-11-10",
    "2021-13-40",
    "2021-11-10T08:00:00",  # naive
    "2021-11-10T08:00:00+08:00",
    "20211110T080000Z",
    [],
    ["BWC"],
    [1],
    {},
    str(uuid.uuid4()),
    "not-a-uuid",
)


def _hazard_data() -> dict:
    event = hazard_event(
        "hazard.rectified",
        4,
        "h-1",
        status="rectified",
        deadline=date(2021, 11, 20),
        closed_at=None,
        lead_departments=["BWC", "XGB"],
        rectified_at=datetime(2021, 11, 15, 3, tzinfo=UTC),
    )
    return json.loads(event.to_json())["data"]


def _variants(data: dict):
    """``data`` with each field missing, given each bad value, and an unknown field."""
    yield {**data, "unexpected": 1}
    for name in data:
        yield {k: v for k, v in data.items() if k != name}
        for value in BAD_VALUES:
            yield {**data, name: value}


def test_a_hazard_event_passes_the_compiled_check_without_marshmallow():
    data = _hazard_data()
    compiled = compile_schema(catalog._INSTANCES[("hazard.rectified", 1)])
    assert compiled is not None and compiled(data)
    assert catalog.validate_data("hazard.rectified", 1, data) is data


@pytest.mark.parametrize("key", sorted(catalog._INSTANCES), ids=lambda key: key[0])
def test_the_compiled_check_never_passes_what_marshmallow_refuses(key):
    schema = catalog._INSTANCES[key]
    compiled = compile_schema(schema)
    if compiled is None:
        return  # schema hooks or fields it does not know: marshmallow checks these
    sample = _hazard_data() if key[0].startswith("hazard.") else {}
    sample |= {name: None for name in schema.fields if name not in sample}
    for variant in _variants(sample):
        if compiled(variant):
            assert schema.validate(variant) == {}, variant


def test_the_envelope_read_by_the_compiled_check_equals_marshmallow_s():
    event = hazard_event("hazard.created", 1, "h-2")
    raw = json.loads(event.to_json())
    assert compile_schema(_SCHEMA)(raw)
    loaded = _SCHEMA.load(raw)
    assert Envelope.from_json(event.to_json()) == Envelope(**{**loaded, "id": str(loaded["id"])})
    upper = {**raw, "id": raw["id"].upper()}  # marshmallow's UUID reads it: so does the check
    assert Envelope.from_json(json.dumps(upper)).id == raw["id"]
    for variant in _variants(raw):
        if compile_schema(_SCHEMA)(variant):
            assert _SCHEMA.validate(variant) == {}, variant
