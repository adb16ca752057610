import json
import uuid
from datetime import UTC, date, datetime

import pytest
from marshmallow import ValidationError

from shared.events.catalog import UnknownEventType, serialize_data, validate_data
from shared.events.envelope import Envelope
from shared.events.reconnect import Backoff

STATE = {
    "hazard_id": str(uuid.uuid4()),
    "number": "YH-2021-00001",
    "unit_code": "JD",
    "category": "fire",
    "severity": "general",
    "status": "discovered",
    "found_at": datetime(2021, 11, 10, 8, 0, tzinfo=UTC),
    "deadline": date(2021, 11, 20),
    "cell_id": None,
    "lead_department": "BWC",
    "responsible_person_id": None,
    "responsible_person_name": None,
    "reopen_count": 0,
    "overdue": False,
    "closed_at": None,
    "source": "report",
    "source_ref": None,
}


def test_envelope_round_trips_through_json():
    data = serialize_data("hazard.created", 1, STATE)
    env = Envelope("hazard.created", 1, "hazards", STATE["hazard_id"], 1, data, "u1", "req-1")
    back = Envelope.from_json(env.to_json())
    assert back == env
    assert json.loads(env.to_json())["data"]["deadline"] == "2021-11-20"


def test_data_missing_a_field_is_refused_naming_it():
    bad = {k: v for k, v in STATE.items() if k != "unit_code"}
    with pytest.raises(ValidationError) as err:
        serialize_data("hazard.created", 1, bad)
    assert "unit_code" in err.value.messages


def test_unknown_fields_and_bad_values_are_refused():
    data = serialize_data("hazard.created", 1, STATE)
    with pytest.raises(ValidationError):
        validate_data("hazard.created", 1, {**data, "extra": 1})
    with pytest.raises(ValidationError) as err:
        validate_data("hazard.created", 1, {**data, "severity": "catastrophic"})
    assert "severity" in err.value.messages


def test_unknown_type_or_version_is_refused():
    with pytest.raises(UnknownEventType):
        validate_data("hazard.exploded", 1, {})
    with pytest.raises(UnknownEventType):
        validate_data("hazard.created", 99, {})


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"id": "x"}', json.dumps({"type": "hazard.created"}).encode()],
)
def test_malformed_envelopes_are_refused(body):
    with pytest.raises(ValidationError):
        Envelope.from_json(body)


def test_reconnect_backoff_doubles_to_a_ceiling_and_starts_over_once_connected():
    backoff = Backoff(first=0.5, longest=4.0)
    assert [backoff.failed() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    backoff.connected()  # hours of good service, then the broker restarts
    assert backoff.failed() == 0.5
