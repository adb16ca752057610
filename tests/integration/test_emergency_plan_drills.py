"""A drill recorded in education against an emergency plan marks that plan drilled in the
hazards register, end to end (education outbox → relay → RabbitMQ → hazards consumer),
also when drill.completed is delivered again; an undrilled plan stays on the to-do."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from services.registry import create_app
from shared.timeutil import campus_today, utcnow
from tests.integration.test_education_drill_hazards import publish
from tests.support.fixtures import bearer, suite_env
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

SO = bearer("security_office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
UNITS = "('BWC', '安全保卫处', 'office', 1), ('JD', '机电工程学院', 'college', 1)"


def test_a_drill_against_a_plan_marks_it_drilled_once(databases, amqp_url, processes):
    for service in ("education", "hazards"):
        with databases.engine(service).begin() as conn:
            conn.execute(
                text(f"INSERT INTO grid_units (code, name, kind, last_sequence) VALUES {UNITS}")
            )
    env = suite_env(databases, amqp_url)
    processes.worker("education", env)
    processes.worker("hazards", env)
    edu = create_app(
        "education", {"amqp_url": amqp_url, "database_url": databases.urls["education"]}
    ).test_client()
    haz = create_app(
        "hazards", {"amqp_url": amqp_url, "database_url": databases.urls["hazards"]}
    ).test_client()

    def plan(scenario: str, title: str) -> dict:
        body = {
            "unit_code": "JD",
            "scenario": scenario,
            "title": title,
            "edition": "2026版",
            "approved_on": "2025-01-10",
            "review_due": "2030-01-10",
            "drill_period_days": 180,
        }
        response = haz.post("/emergency-plans", json=body, headers=JD)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    fire = plan("fire", "机电工程学院火灾事故应急预案")
    flood = plan("flood", "机电工程学院防汛应急预案")
    assert set(plan_id for plan_id, _ in todo_plans(haz)) == {fire["id"], flood["id"]}

    now = utcnow()
    drill = edu.post(
        "/activities",
        json={
            "kind": "drill",
            "title": "火灾疏散逃生演练",
            "organiser_unit": "BWC",
            "targets": [{"unit_code": "JD"}],
            "venue": "1号教学楼",
            "starts_at": (now - timedelta(hours=2)).isoformat(),
            "ends_at": (now - timedelta(hours=1)).isoformat(),
            "plan_id": fire["id"],
        },
        headers=SO,
    )
    assert drill.status_code == 201, drill.get_json()
    assert drill.get_json()["plan_id"] == fire["id"]
    drill_id = drill.get_json()["id"]
    result = edu.post(
        f"/activities/{drill_id}/drill-result",
        json={"participants": 300, "evacuation_seconds": 190},
        headers=SO,
    )
    assert result.status_code == 201, result.get_json()

    def drilled() -> str | None:
        return haz.get(f"/emergency-plans/{fire['id']}", headers=JD).get_json()["last_drilled_on"]

    today = campus_today("Asia/Shanghai").isoformat()
    wait_until(lambda: drilled() == today, timeout=30, message="the plan marked drilled")
    got = haz.get(f"/emergency-plans/{fire['id']}", headers=JD).get_json()
    assert (got["last_drill_id"], got["lapses"]) == (drill_id, [])
    version = got["version"]

    # drill.completed again under a new event id (a replay or a producer retry): no change.
    [body] = [
        row[0]
        for row in databases.rows(
            "education", "SELECT body FROM outbox WHERE event_type = 'drill.completed'"
        )
    ]
    envelope = json.loads(body)
    envelope["id"] = str(uuid.uuid4())
    publish(amqp_url, [("drill.completed", json.dumps(envelope).encode())])
    wait_until(
        lambda: (
            databases.scalar(
                "hazards", "SELECT count(*) FROM inbox WHERE event_id = :e", e=envelope["id"]
            )
            == 1
        ),
        timeout=30,
        message="the duplicate consumed",
    )
    again = haz.get(f"/emergency-plans/{fire['id']}", headers=JD).get_json()
    assert again["version"] == version
    drills = haz.get(f"/emergency-plans/{fire['id']}/drills", headers=JD).get_json()
    assert [d["drill_id"] for d in drills] == [drill_id]

    # The flood plan, never drilled since its approval, stays on JD's to-do.
    assert todo_plans(haz) == [(flood["id"], "超期未演练")]
    summary = haz.get("/emergency-plans/summary", headers=JD).get_json()
    assert (summary["plans"], summary["undrilled"]) == (2, 1)


def todo_plans(haz) -> list[tuple[str, str]]:
    items = haz.get("/todo", headers=JD).get_json()["items"]
    return [
        (i["target"]["plan_id"], i["title"].split("》")[1])
        for i in items
        if i["kind"] == "emergency_plan"
    ]
