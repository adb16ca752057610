"""A drill with 2 problems creates exactly 2 hazards in the hazard ledger through RabbitMQ,
also when each drill.problem_found is delivered twice; the hazard numbers come back to the
drill (education outbox → relay → RabbitMQ → hazards consumer → hazards outbox → relay →
education consumer)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pika
import pytest
from sqlalchemy import text

from services.registry import create_app
from shared.events.topology import connect
from shared.timeutil import utcnow
from tests.support.fixtures import bearer, suite_env
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

SO = bearer("security_office")


def publish(amqp_url: str, messages: list[tuple[str, bytes]]) -> None:
    connection = connect(amqp_url)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        for routing_key, body in messages:
            channel.basic_publish(
                "campus.events",
                routing_key,
                body,
                pika.BasicProperties(content_type="application/json", delivery_mode=2),
                mandatory=True,
            )
    finally:
        connection.close()


def education_and_hazard_workers(databases, amqp_url, processes):
    """Both workers running, and education's grid projection fed (as if by the grid)."""
    with databases.engine("education").begin() as conn:
        conn.execute(
            text(
                "INSERT INTO grid_units (code, name, kind, last_sequence) "
                "VALUES ('BWC', '安全保卫处', 'office', 1), ('JD', '机电工程学院', 'college', 1)"
            )
        )
    env = suite_env(databases, amqp_url)
    processes.worker("education", env)
    processes.worker("hazards", env)
    return create_app(
        "education", {"amqp_url": amqp_url, "database_url": databases.urls["education"]}
    ).test_client()


def past_drill(edu) -> str:
    """A drill that took place an hour ago (organised by BWC, for JD); its id."""
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
        },
        headers=SO,
    )
    assert drill.status_code == 201, drill.get_json()
    return drill.get_json()["id"]


def test_two_problems_make_two_hazards_even_when_delivered_twice(databases, amqp_url, processes):
    edu = education_and_hazard_workers(databases, amqp_url, processes)
    drill_id = past_drill(edu)
    result = edu.post(
        f"/activities/{drill_id}/drill-result",
        json={
            "participants": 300,
            "evacuation_seconds": 190,
            "problems": [
                {"category": "fire", "description": "3层安全出口指示灯不亮"},
                {"category": "fire", "severity": "major", "description": "消防通道堆放杂物"},
            ],
        },
        headers=SO,
    )
    assert result.status_code == 201, result.get_json()
    problem_ids = {p["id"] for p in result.get_json()["problems"]}

    def drill_hazards() -> list[tuple]:
        return databases.rows(
            "hazards",
            "SELECT source_ref, category, severity, unit_code FROM hazards "
            "WHERE source = 'drill' ORDER BY source_ref",
        )

    wait_until(lambda: len(drill_hazards()) == 2, timeout=30, message="two hazards")

    # Deliver every drill.problem_found again: the same message (same event id), and the
    # same problem announced afresh (a new event id), as a replay or a producer retry would.
    bodies = [
        row[0]
        for row in databases.rows(
            "education", "SELECT body FROM outbox WHERE event_type = 'drill.problem_found'"
        )
    ]
    assert len(bodies) == 2
    fresh_ids = []
    messages = [("drill.problem_found", body.encode()) for body in bodies]
    for body in bodies:
        envelope = json.loads(body)
        envelope["id"] = str(uuid.uuid4())
        fresh_ids.append(envelope["id"])
        messages.append(("drill.problem_found", json.dumps(envelope).encode()))
    publish(amqp_url, messages)

    def consumed() -> bool:
        seen = databases.scalar(
            "hazards",
            "SELECT count(*) FROM inbox WHERE event_id IN (:a, :b)",
            a=fresh_ids[0],
            b=fresh_ids[1],
        )
        return seen == 2

    wait_until(consumed, timeout=30, message="the duplicates to be consumed")
    hazards = drill_hazards()
    assert len(hazards) == 2
    assert {h[0] for h in hazards} == problem_ids
    assert sorted(h[2] for h in hazards) == ["general", "major"]
    assert {h[3] for h in hazards} == {"JD"}
    assert databases.scalar("hazards", "SELECT count(*) FROM hazards") == 2

    # The hazard numbers come back to the drill (hazard.created → education).
    numbers = {
        row[0]
        for row in databases.rows("hazards", "SELECT number FROM hazards WHERE source = 'drill'")
    }

    def shown() -> list[str]:
        response = edu.get(f"/activities/{drill_id}/drill-result", headers=SO)
        return sorted(response.get_json()["hazard_numbers"])

    wait_until(lambda: shown() == sorted(numbers), timeout=30, message="hazard numbers")


def test_a_problem_in_a_cell_the_ledger_does_not_know_yet_still_opens_its_hazard(
    databases, amqp_url, processes
):
    """Education knows the cell, the ledger's grid copy not yet (grid events arrive in any
    order): the hazard opens on the problem's unit, the cell kept as its location, and the
    message is not retried into the dead-letter queue."""
    edu = education_and_hazard_workers(databases, amqp_url, processes)
    cell_id = str(uuid.uuid4())
    with databases.engine("education").begin() as conn:
        conn.execute(
            text(
                "INSERT INTO grid_cells (cell_id, code, name, level, parent_id, unit_code, "
                "area_type, location, last_sequence) VALUES "
                "(:cell, 'JD-B1', '1号教学楼', 3, NULL, 'JD', 'teaching', NULL, 1)"
            ),
            {"cell": cell_id},
        )
    drill_id = past_drill(edu)
    result = edu.post(
        f"/activities/{drill_id}/drill-result",
        json={
            "participants": 120,
            "problems": [{"category": "fire", "description": "疏散指示灯损坏", "cell_id": cell_id}],
        },
        headers=SO,
    )
    assert result.status_code == 201, result.get_json()
    [problem] = result.get_json()["problems"]
    assert (problem["cell_id"], problem["unit_code"]) == (cell_id, "JD")

    def opened() -> list[tuple]:
        return databases.rows(
            "hazards",
            "SELECT unit_code, cell_id, location, number FROM hazards WHERE source_ref = :ref",
            ref=problem["id"],
        )

    wait_until(lambda: len(opened()) == 1, timeout=30, message="the drill's hazard")
    [(unit_code, cell, location, number)] = opened()
    assert (unit_code, cell) == ("JD", None)
    assert cell_id in location

    def shown() -> list[str]:
        return edu.get(f"/activities/{drill_id}/drill-result", headers=SO).get_json()[
            "hazard_numbers"
        ]

    wait_until(lambda: shown() == [number], timeout=30, message="the hazard number")
