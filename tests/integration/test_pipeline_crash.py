"""2,000 events through outbox → relay → consumer while the relay and the consumer are
SIGKILLed mid-stream: the projection ends exactly right, nothing lost, nothing twice."""

from __future__ import annotations

import signal

import pytest

from tests.integration.conftest import (
    inbox_size,
    ledger_counts,
    produce_hazard_events,
    projection_counts,
    unsent,
)
from tests.support.fixtures import suite_env
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration


def test_relay_and_consumer_killed_mid_stream_lose_nothing(databases, amqp_url, processes):
    produce_hazard_events(databases.engine("hazards"), created=1500, registered=500)
    assert unsent(databases) == 2000
    # Small relay batches so there is a "middle of the stream" to kill it in.
    env = suite_env(databases, amqp_url, CAMPUS_RELAY_BATCH="20", CAMPUS_CONSUMER_BATCH="20")
    consumer = processes.worker("reporting", env, "--consumer-only")
    relay = processes.worker("hazards", env, "--relay-only")

    wait_until(lambda: unsent(databases) <= 1600, timeout=60, message="relay to start publishing")
    relay.send_signal(signal.SIGKILL)
    relay.wait(timeout=10)
    left = unsent(databases)
    assert 0 < left < 2000, "the relay must die mid-stream for this test to mean anything"

    wait_until(lambda: inbox_size(databases) >= 100, timeout=60, message="consumer progress")
    consumer.send_signal(signal.SIGKILL)
    consumer.wait(timeout=10)

    processes.worker("hazards", env, "--relay-only")
    processes.worker("reporting", env, "--consumer-only")
    wait_until(lambda: unsent(databases) == 0, timeout=120, message="outbox drained")
    wait_until(lambda: inbox_size(databases) == 2000, timeout=120, message="2,000 inbox ids")

    assert projection_counts(databases) == ledger_counts(databases)
    assert databases.scalar("reporting", "SELECT count(*) FROM hazard_projection") == 1500
    print(
        f"killed relay with {left} unsent; inbox {inbox_size(databases)}; "
        f"projection {projection_counts(databases)}"
    )
