"""A consumer's projection is rebuilt from scratch by replaying the source's outbox."""

from __future__ import annotations

import subprocess
import sys

import pytest

from services.registry import create_app
from shared.testing.fixtures import ROOT, bearer, suite_env
from shared.testing.waiting import wait_until
from tests.integration.conftest import (
    inbox_size,
    ledger_counts,
    produce_hazard_events,
    projection_counts,
    unsent,
)

pytestmark = pytest.mark.integration

SO = bearer("security_office")


def test_replay_rebuilds_a_lost_projection(databases, amqp_url, processes):
    produce_hazard_events(databases.engine("hazards"), created=60, registered=25)
    env = suite_env(databases, amqp_url)
    processes.worker("hazards", env)
    processes.worker("reporting", env)
    wait_until(lambda: inbox_size(databases) == 85, timeout=60, message="first delivery")
    expected = ledger_counts(databases)
    assert projection_counts(databases) == expected
    reporting = create_app(
        "reporting", {"database_url": databases.urls["reporting"], "amqp_url": amqp_url}
    ).test_client()
    queries = ["group_by=unit", "group_by=category", "group_by=severity&unit_code=JD"]
    before = [reporting.get(f"/statistics?{q}", headers=SO).get_json() for q in queries]

    with databases.engine("reporting").begin() as conn:  # the reporting database is lost
        conn.exec_driver_sql("TRUNCATE hazard_projection, inbox, flags")
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
    after = [reporting.get(f"/statistics?{q}", headers=SO).get_json() for q in queries]
    assert after == before
