"""Closing a hazard updates the reporting statistics and the accountability flags
asynchronously over RabbitMQ, with no HTTP call between the services."""

from __future__ import annotations

import time

import pytest

from services.hazards.sweeps import run_sweep
from services.registry import create_app
from shared.api import state
from tests.support.fixtures import bearer, suite_env
from tests.support.waiting import wait_until
from tests.support.workflow import STEPS_TO_CLOSE, headers

pytestmark = pytest.mark.integration

SO = bearer("security_office", sub="office")


def test_closing_a_hazard_updates_statistics_and_keeps_its_lateness_on_record(
    databases, amqp_url, processes
):
    env = suite_env(databases, amqp_url, CAMPUS_SWEEP_SECONDS="3600")
    processes.worker("hazards", env)
    processes.worker("reporting", env)
    config = {"amqp_url": amqp_url}
    hazards_app = create_app("hazards", {**config, "database_url": databases.urls["hazards"]})
    reporting = create_app(
        "reporting", {**config, "database_url": databases.urls["reporting"]}
    ).test_client()
    hazards = hazards_app.test_client()

    hazard = hazards.post(
        "/hazards",
        json={"unit_code": "JD", "category": "fire", "description": "消防通道堆放杂物"},
        headers=SO,
    ).get_json()
    steps = list(STEPS_TO_CLOSE)
    steps[0] = ("register", {"deadline": "2021-11-20"}, *steps[0][2:])  # long past
    for path, body, role, sub in steps[:3]:  # registered, reported, in remediation
        response = hazards.post(
            f"/hazards/{hazard['id']}/{path}", json=body, headers=headers(role, sub, "JD")
        )
        assert response.status_code == 200, response.get_json()
    with hazards_app.app_context():
        assert run_sweep(state().session_factory, state().settings)["overdue"] == 1

    def stats() -> dict:
        return reporting.get("/statistics?unit_code=JD", headers=SO).get_json()["totals"]

    def flags() -> list[dict]:
        return reporting.get("/flags?rule=overdue_hazard", headers=SO).get_json()

    wait_until(lambda: stats()["overdue"] == 1 and len(flags()) == 1, timeout=30, message="flag")
    [flag] = flags()
    assert (flag["status"], flag["evidence"]["number"]) == ("open", hazard["number"])

    started = time.monotonic()
    for path, body, role, sub in steps[3:]:  # rectified, accepted, closed
        response = hazards.post(
            f"/hazards/{hazard['id']}/{path}", json=body, headers=headers(role, sub, "JD")
        )
        assert response.status_code == 200, response.get_json()
    wait_until(
        lambda: stats()["rectified"] == 1 and stats()["overdue"] == 0,
        timeout=10,
        interval=0.1,
        message="statistics after close",
    )
    wait_until(
        lambda: flags()[0]["status"] == "resolved_late", timeout=10, message="flag resolved late"
    )
    print(f"close → statistics and flag updated in {time.monotonic() - started:.2f}s")
    # Fixed long after its deadline: the lateness stays on record, nobody withdrew it.
    [flag] = flags()
    assert flag["resolved_at"] and flag["decided_by"] is None and flag["days_late"] > 365
