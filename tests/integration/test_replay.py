"""A consumer's projection is rebuilt from scratch by replaying the source's outbox."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shared.testing.fixtures import ROOT, suite_env
from shared.testing.waiting import wait_until
from tests.integration.conftest import (
    inbox_size,
    ledger_counts,
    produce_hazard_events,
    projection_counts,
    unsent,
)

pytestmark = pytest.mark.integration


def test_replay_rebuilds_a_lost_projection(databases, amqp_url, processes):
    produce_hazard_events(databases.engine("hazards"), created=60, registered=25)
    env = suite_env(databases, amqp_url)
    processes.worker("hazards", env)
    processes.worker("reporting", env)
    wait_until(lambda: inbox_size(databases) == 85, timeout=60, message="first delivery")
    expected = ledger_counts(databases)
    assert projection_counts(databases) == expected

    with databases.engine("reporting").begin() as conn:  # the projection is lost
        conn.exec_driver_sql("TRUNCATE hazard_projection, inbox")
    result = subprocess.run(
        [sys.executable, "-m", "services", "replay", "hazards"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "85 events queued" in result.stdout
    wait_until(lambda: inbox_size(databases) == 85, timeout=60, message="replayed")
    wait_until(lambda: unsent(databases) == 0, timeout=30, message="replay published")
    assert projection_counts(databases) == expected
