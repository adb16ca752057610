"""An emergency plan's state travels from the hazards register to reporting and education
through RabbitMQ (hazards outbox → relay → each consumer): a plan registered in hazards
counts in reporting's statistics as not drilled; a drill recorded in education against it
marks it drilled in hazards and the statistics follow; once withdrawn, education refuses a
new drill against it (409 naming plan_id) and the statistics no longer count it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from services.registry import create_app
from shared.timeutil import utcnow
from tests.support.fixtures import bearer, suite_env
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

SO = bearer("security_office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
UNITS = "('BWC', '安全保卫处', 'office', 1), ('JD', '机电工程学院', 'college', 1)"


def test_a_plan_counts_in_statistics_and_a_withdrawn_one_takes_no_drill(
    databases, amqp_url, processes
):
    for service in ("education", "hazards"):
        with databases.engine(service).begin() as conn:
            conn.execute(
                text(f"INSERT INTO grid_units (code, name, kind, last_sequence) VALUES {UNITS}")
            )
    env = suite_env(databases, amqp_url)
    for service in ("hazards", "education", "reporting"):
        processes.worker(service, env)

    def client(service: str):
        config = {"amqp_url": amqp_url, "database_url": databases.urls[service]}
        return create_app(service, config).test_client()

    haz, edu, rep = client("hazards"), client("education"), client("reporting")

    def plan_counts() -> dict:
        return rep.get("/statistics", headers=SO).get_json()["emergency_plans"]["totals"]

    def plan_status_in_education(plan_id: str) -> str | None:
        return databases.scalar(
            "education",
            "SELECT status FROM emergency_plan_projection WHERE plan_id = :p",
            p=plan_id,
        )

    made = haz.post(
        "/emergency-plans",
        json={
            "unit_code": "JD",
            "scenario": "fire",
            "title": "机电工程学院火灾事故应急预案",
            "edition": "2026版",
            "approved_on": "2025-01-10",  # drill due 180 days later: long past
            "review_due": "2030-01-10",
            "drill_period_days": 180,
        },
        headers=JD,
    )
    assert made.status_code == 201, made.get_json()
    plan_id = made.get_json()["id"]
    undrilled = {"plans": 1, "undrilled": 1, "review_overdue": 0, "lapsed": 1}
    wait_until(lambda: plan_counts() == undrilled, timeout=30, message="the plan counted")
    [unit] = rep.get("/statistics", headers=SO).get_json()["emergency_plans"]["units"]
    assert (unit["unit_code"], unit["undrilled"]) == ("JD", 1)
    wait_until(
        lambda: plan_status_in_education(plan_id) == "in_force",
        timeout=30,
        message="education knows the plan",
    )

    now = utcnow()

    def drill(venue: str):
        return edu.post(
            "/activities",
            json={
                "kind": "drill",
                "title": "火灾疏散逃生演练",
                "organiser_unit": "BWC",
                "targets": [{"unit_code": "JD"}],
                "venue": venue,
                "starts_at": (now - timedelta(hours=2)).isoformat(),
                "ends_at": (now - timedelta(hours=1)).isoformat(),
                "plan_id": plan_id,
            },
            headers=SO,
        )

    held = drill("1号教学楼")
    assert held.status_code == 201, held.get_json()
    result = edu.post(
        f"/activities/{held.get_json()['id']}/drill-result",
        json={"participants": 300, "evacuation_seconds": 190},
        headers=SO,
    )
    assert result.status_code == 201, result.get_json()
    drilled = {"plans": 1, "undrilled": 0, "review_overdue": 0, "lapsed": 0}
    wait_until(lambda: plan_counts() == drilled, timeout=30, message="statistics: drilled")

    current = haz.get(f"/emergency-plans/{plan_id}", headers=JD)
    withdrawn = haz.patch(
        f"/emergency-plans/{plan_id}",
        json={"status": "withdrawn"},
        headers={**JD, "If-Match": current.headers["ETag"]},
    )
    assert withdrawn.status_code == 200, withdrawn.get_json()
    wait_until(
        lambda: plan_status_in_education(plan_id) == "withdrawn",
        timeout=30,
        message="education learns the withdrawal",
    )
    refused = drill("2号教学楼")
    assert refused.status_code == 409, refused.get_json()
    assert refused.content_type == "application/problem+json"
    assert [p["name"] for p in refused.get_json()["invalid_params"]] == ["plan_id"]
    assert "已废止" in refused.get_json()["detail"]
    none = {"plans": 0, "undrilled": 0, "review_overdue": 0, "lapsed": 0}
    wait_until(lambda: plan_counts() == none, timeout=30, message="statistics: withdrawn")
