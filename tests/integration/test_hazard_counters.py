"""On PostgreSQL: the counters the consumer keeps equal the ones counted in SQL from the
projection (the check command's form), whatever the order events came in; a corrupted
counter makes ``campus-safety check-counters`` name it and exit 1."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from services.reporting.handlers import event_handlers
from services.reporting.statistics import counters
from shared.db import make_session_factory
from tests.support.events import feed
from tests.support.fixtures import campus_safety
from tests.support.reporting import hazard_event

pytestmark = pytest.mark.integration

TZ = "Asia/Shanghai"
STEPS = (  # (stage, event type)
    ("registered", "hazard.registered"),
    ("in_remediation", "hazard.remediation_started"),
    ("rectified", "hazard.rectified"),
    ("accepted", "hazard.accepted"),
    ("closed", "hazard.closed"),
)


def histories(n: int, seed: int = 18) -> list:
    """``n`` hazards' events, shuffled with some sent twice: found at random moments (one
    in five at a campus midnight), walked some steps, sometimes announced overdue, closed
    out at microseconds — a few stamped before their finding (clock skew)."""
    rng = random.Random(seed)
    events = []
    for i in range(n):
        found = datetime(2021, 11, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(40 * 86400))
        if rng.random() < 0.2:
            found = found.replace(hour=16, minute=0, second=0)  # 00:00 on campus
        state = {
            "found_at": found,
            "unit_code": rng.choice(("JD", "XX")),
            "category": rng.choice(("fire", "traffic")),
            "severity": rng.choice(("general", "major")),
        }
        hazard = f"h{i}"
        events.append(hazard_event("hazard.created", 1, hazard, **state))
        for sequence, (status, kind) in enumerate(STEPS[: rng.randrange(6)], start=2):
            state |= {"status": status, "deadline": found.date() + timedelta(days=10)}
            if rng.random() < 0.2:
                state["overdue"] = True
            if status == "closed":
                skew = -60 if rng.random() < 0.1 else rng.randrange(20 * 86400)
                state["closed_at"] = found + timedelta(seconds=skew, microseconds=i)
            events.append(hazard_event(kind, sequence, hazard, **state))
    events += rng.sample(events, len(events) // 10)  # duplicates
    rng.shuffle(events)  # stale ones
    return events


def test_kept_counters_equal_the_recount_and_a_corruption_is_reported(databases, amqp_url):
    factory = make_session_factory(databases.engine("reporting"))
    with factory() as session:
        feed(session, event_handlers(TZ), histories(300))
        session.commit()
        kept = counters.stored(session)
        assert sum(v[0] for v in kept[0].values()) == 300
        assert counters.differences(session, TZ) == []
        counters.rebuild(session, TZ)  # what the bench and the migration do, in SQL
        assert counters.stored(session) == kept
        session.rollback()

    databases.execute(
        "reporting",
        "UPDATE hazard_counts SET hazards = hazards + 1 WHERE ctid = "
        "(SELECT ctid FROM hazard_counts WHERE hazards > 0 LIMIT 1)",
    )
    env = {
        "REPORTING_DATABASE_URL": databases.urls["reporting"],
        "CAMPUS_TIMEZONE": TZ,
        "PATH": "/usr/bin:/bin",
    }
    result = campus_safety(env, "check-counters", check=False)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("hazard_counts ("), result.stdout
    assert "1 处计数与隐患投影不符" in result.stderr
