"""The real reporting worker (PostgreSQL, RabbitMQ) raises an overdue hazard's flag while the
group robot is down, and delivers the notice once the robot is back: the consumer never
waits for the robot, the worker's periodic thread retries."""

from __future__ import annotations

import pytest

from services.hazards.sweeps import run_sweep
from services.registry import create_app
from shared.api import state
from tests.support.fixtures import bearer, suite_env
from tests.support.robots import FakeRobot
from tests.support.waiting import wait_until
from tests.support.workflow import STEPS_TO_CLOSE, headers

pytestmark = pytest.mark.integration

SO = bearer("security_office", sub="office")


def test_a_flag_raised_while_the_robot_is_down_reaches_it_when_it_is_back(
    databases, amqp_url, processes
):
    robot = FakeRobot("wecom")
    robot.close()  # down from the start
    try:
        env = suite_env(databases, amqp_url, CAMPUS_SWEEP_SECONDS="3600")
        processes.worker("hazards", env)
        processes.worker(
            "reporting", {**env, "CAMPUS_SWEEP_SECONDS": "1", "CAMPUS_WECOM_WEBHOOK": robot.url}
        )
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

        def flags() -> list[dict]:
            return reporting.get("/flags?rule=overdue_hazard", headers=SO).get_json()

        wait_until(lambda: len(flags()) == 1, timeout=30, message="the flag, robot down")
        wait_until(
            lambda: databases.scalar(
                "reporting", "SELECT count(*) FROM robot_messages WHERE attempts > 0"
            ),
            timeout=30,
            message="a failed try at the robot",
        )
        assert robot.received == []
        robot.start()  # back: the worker's next try after its backoff reaches it
        wait_until(lambda: robot.received, timeout=60, message="the notice at the robot")
        text = robot.text(0)
        assert "隐患逾期未整改" in text and hazard["number"] in text
        assert "2021年11月20日" in text
        wait_until(
            lambda: databases.scalar(
                "reporting", "SELECT count(*) FROM robot_messages WHERE status = 'sent'"
            ),
            timeout=10,
            message="the message marked sent",
        )
        assert len(robot.received) == 1
    finally:
        robot.close()
