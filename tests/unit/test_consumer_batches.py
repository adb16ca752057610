"""A hazard's events in one consumer batch (reporting's BatchHandler: one read, one upsert
per round of the run) end exactly as the same events delivered one at a time in the same
order: the projection, the counters and every flag with its status and days late."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from services.reporting.handlers import event_handlers
from services.reporting.models import Flag, HazardProjection
from services.reporting.statistics import counters
from shared.events.consumer import BatchHandler
from tests.support.events import consume
from tests.unit.test_reporting_flag_order import (
    HISTORY,
    QUIET_HISTORY,
    app,  # noqa: F401 (the fixture: a reporting app with the 2021 campaign)
    event,
    orders,
    session_of,
)

TZ = "Asia/Shanghai"


def _outcome(session, hazard_id: str):
    row = session.get(HazardProjection, hazard_id)
    flags = session.scalars(select(Flag).where(Flag.cause_key.like(f"%:{hazard_id}%"))).all()
    return (
        (row.status, row.deadline, row.overdue, row.last_sequence),
        sorted((f.rule, f.cause_key.replace(hazard_id, "H"), f.status, f.days_late) for f in flags),
    )


def test_hazard_events_are_handed_to_the_batch_handler_as_one_run():
    handlers = event_handlers(TZ)
    assert isinstance(handlers["hazard.created"], BatchHandler)
    assert handlers["hazard.created"] is handlers["hazard.closed"]


@pytest.mark.parametrize("name", ["history", "quiet"])
def test_one_batch_in_any_order_ends_as_one_event_at_a_time(app, name):  # noqa: F811
    history = HISTORY if name == "history" else QUIET_HISTORY
    handlers = event_handlers(TZ)
    with session_of(app) as session:
        for order in [range(len(history)), *orders(len(history), sample=12)]:
            alone, batched = str(uuid.uuid4()), str(uuid.uuid4())
            for i in order:  # one batch per event
                sequence, event_type, changes = history[i]
                consume(session, handlers, [event(event_type, sequence, alone, **changes)])
            events = [event(history[i][1], history[i][0], batched, **history[i][2]) for i in order]
            outcomes = consume(session, handlers, events + events[:2])  # and two duplicates
            assert set(outcomes.values()) == {"ack"}
            expected = _outcome(session, alone)
            assert expected[1], "the history raises flags"
            assert _outcome(session, batched) == expected, [history[i][:2] for i in order]
        assert counters.differences(session, TZ) == []
