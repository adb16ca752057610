"""The hazard projection converges whatever the delivery order or duplication."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from services.reporting.domain import tally
from services.reporting.models import HazardProjection
from services.reporting.statistics.queries import totals
from shared.db import make_engine, make_session_factory
from shared.events.consumer import ACK, REJECT, Delivery, apply_batch
from shared.events.envelope import Envelope
from shared.events.inbox import InboxMessage
from tests.support.databases import migrated_sqlite
from tests.support.handlers import handlers_of
from tests.support.reporting import hazard_event

EVENT_HANDLERS = handlers_of("reporting")


def history(unit: str, closed: bool) -> list[Envelope]:
    hazard_id = str(uuid.uuid4())
    state = {
        "number": f"YH-2021-{random.randint(1, 99999):05d}",
        "unit_code": unit,
        "found_at": datetime(2021, 11, 10, tzinfo=UTC),
        "responsible_person_id": None,
        "responsible_person_name": None,
    }
    events = [hazard_event("hazard.created", 1, hazard_id, **state)]
    if closed:
        closing = {"status": "closed", "closed_at": datetime(2021, 11, 12, tzinfo=UTC)}
        events.append(hazard_event("hazard.closed", 2, hazard_id, **state, **closing))
    return events


def test_tally_counts_by_unit_and_status():
    result = tally([("JD", "closed", 2), ("JD", "discovered", 1), ("XX", "closed", 4)])
    assert result["total"] == 7
    assert result["by_status"] == {"closed": 6, "discovered": 1}
    assert result["by_unit"]["JD"] == {"total": 3, "by_status": {"closed": 2, "discovered": 1}}


def test_duplicated_and_shuffled_delivery_gives_the_same_projection(tmp_path):
    url = migrated_sqlite("reporting", tmp_path / "reporting.db")
    factory = make_session_factory(make_engine(url))
    rng = random.Random(7)
    events = [e for i in range(30) for e in history(["JD", "XX", "CW"][i % 3], closed=i % 4 == 0)]
    deliveries = [Delivery(tag, e.to_json(), 0) for tag, e in enumerate(events * 2, start=1)]
    rng.shuffle(deliveries)
    deliveries.append(Delivery(len(deliveries) + 1, b"garbage", 0))
    for start in range(0, len(deliveries), 17):  # several batches, like the consumer
        with factory() as session:
            outcomes = apply_batch(session, EVENT_HANDLERS, deliveries[start : start + 17])
            session.commit()
        assert set(outcomes.values()) <= {ACK, REJECT}
    with factory() as session:
        rows = session.scalars(select(HazardProjection)).all()
        inbox = session.scalars(select(InboxMessage.event_id)).all()
    assert len(rows) == 30
    assert sorted(inbox) == sorted(e.id for e in events)
    closed = {e.subject for e in events if e.type == "hazard.closed"}
    assert {r.hazard_id for r in rows if r.status == "closed"} == closed
    assert all(r.last_sequence == (2 if r.hazard_id in closed else 1) for r in rows)


def test_totals_weight_the_average_time_to_close_by_hazards_closed():
    """Unit A: one hazard closed after 2 days and three accepted but not yet closed;
    unit B: one closed after 10 days. Two hazards closed, so the average is 6 days (a
    weighting by rectified hazards would say 3.6)."""
    a = {"key": "A", "found": 4, "rectified": 4, "in_remediation": 0, "overdue": 0, "major": 0}
    b = {"key": "B", "found": 1, "rectified": 1, "in_remediation": 0, "overdue": 0, "major": 0}
    a |= {"closed": 1, "average_days_to_close": 2.0}
    b |= {"closed": 1, "average_days_to_close": 10.0}
    result = totals([a, b])
    assert result["average_days_to_close"] == 6.0
    assert (result["found"], result["rectified"], result["closed"]) == (5, 5, 2)
    none_closed = totals([a | {"closed": 0, "average_days_to_close": None}])
    assert none_closed["average_days_to_close"] is None
