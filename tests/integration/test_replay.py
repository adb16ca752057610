"""A consumer's projection is rebuilt from scratch by replaying the source's outbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from services.hazards.commands import sweep
from services.hazards.domain import Policy
from services.hazards.models import Hazard
from services.registry import create_app
from shared.db import make_session_factory
from tests.integration.conftest import (
    inbox_size,
    ledger_counts,
    produce_hazard_events,
    projection_counts,
    unsent,
)
from tests.support.fixtures import bearer, campus_safety, suite_env
from tests.support.waiting import wait_until
from tests.support.workflow import close_via_commands

pytestmark = pytest.mark.integration

SO = bearer("security_office")


def whole_history(databases) -> int:
    """Hazards at every stage: created, registered, ten walked to closed (so rectified
    counts and days to close), and the registered ones overdue by the sweep (flags)."""
    produce_hazard_events(databases.engine("hazards"), created=60, registered=25)
    factory = make_session_factory(databases.engine("hazards"))
    with factory.begin() as session:
        fresh = session.scalars(
            select(Hazard).where(Hazard.status == "discovered").order_by(Hazard.number).limit(10)
        ).all()
        for hazard in fresh:
            close_via_commands(session, hazard.id, hazard.unit_code)
    with factory.begin() as session:
        swept = sweep(session, datetime(2030, 1, 15, tzinfo=UTC), Policy())
    assert swept["overdue"] == 25
    return databases.scalar("hazards", "SELECT count(*) FROM outbox")


def flag_rows(databases) -> list[tuple]:
    return databases.rows(
        "reporting",
        "SELECT rule, unit_code, cause_key, status, person_name FROM flags ORDER BY cause_key",
    )


def counter_rows(databases) -> dict[str, list[tuple]]:
    """Both counter tables, rows with every measure zero left out (a hazard that moved on
    leaves its old key at zero; a rebuild in another order may not)."""
    return {
        table: databases.rows(
            "reporting",
            f"SELECT * FROM {table} WHERE hazards <> 0 OR closed <> 0 OR micros_to_close <> 0 "
            "ORDER BY 1, 2, 3, 4, 5",
        )
        for table in ("hazard_counts", "hazard_unit_counts", "hazard_table_counts")
    }


def test_replay_rebuilds_a_lost_projection(databases, amqp_url, processes):
    events = whole_history(databases)
    env = suite_env(databases, amqp_url)
    processes.worker("hazards", env)
    processes.worker("reporting", env)
    wait_until(lambda: inbox_size(databases) == events, timeout=60, message="first delivery")
    expected = ledger_counts(databases)
    assert projection_counts(databases) == expected
    reporting = create_app(
        "reporting", {"database_url": databases.urls["reporting"], "amqp_url": amqp_url}
    ).test_client()
    queries = ["group_by=unit", "group_by=category", "group_by=severity&unit_code=JD"]
    before = [reporting.get(f"/statistics?{q}", headers=SO).get_json() for q in queries]
    totals = before[0]["totals"]
    assert (totals["found"], totals["rectified"], totals["overdue"]) == (60, 10, 25)
    assert totals["average_days_to_close"] is not None
    flags_before = flag_rows(databases)
    assert len(flags_before) == 25
    counters_before = counter_rows(databases)
    per_unit = counters_before["hazard_unit_counts"]  # (day, unit, stage, hazards, …)
    assert sum(r[3] for r in per_unit) == 60
    assert sum(r[3] for r in per_unit if r[2] == "closed") == 10

    with databases.engine("reporting").begin() as conn:  # the reporting database is lost
        conn.exec_driver_sql(
            "TRUNCATE hazard_projection, inbox, flags, flag_steps, flag_files, "
            "hazard_counts, hazard_unit_counts, hazard_table_counts"
        )
    result = campus_safety(env, "replay", "hazards")
    assert f"{events} events queued" in result.stdout
    wait_until(lambda: inbox_size(databases) == events, timeout=60, message="replayed")
    wait_until(lambda: unsent(databases) == 0, timeout=30, message="replay published")
    assert projection_counts(databases) == expected
    after = [reporting.get(f"/statistics?{q}", headers=SO).get_json() for q in queries]
    assert after == before
    assert flag_rows(databases) == flags_before
    # The statistics' counters are rebuilt exactly, and the check finds nothing to report.
    assert counter_rows(databases) == counters_before
    assert campus_safety(env, "check-counters").returncode == 0
