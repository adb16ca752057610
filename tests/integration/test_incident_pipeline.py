"""An incident with a finding of responsibility produces exactly one accountability flag
naming the person who held the place on the incident's day, end to end through RabbitMQ
(grid → hazards and reporting projections; hazards outbox → relay → RabbitMQ → reporting
consumer), also when the finding is delivered twice; the hazards the incident revealed
are in the ledger linked to it both ways, and the statistics count the incident."""

from __future__ import annotations

import json
import uuid

import pika
import pytest

from services.registry import create_app
from shared.events.topology import connect
from tests.support.fixtures import bearer, suite_env
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

SO = bearer("security_office", sub="office")


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


def seed_grid(grid) -> str:
    """JD, its lab, and the lab's heads: 王旧 until 2021-11-21, 李新 from the 22nd. The lab."""

    def post(path, body):
        response = grid.post(path, json=body, headers=SO)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    post("/units", {"code": "JD", "name": "机电工程学院", "kind": "college"})
    root = post("/cells", {"code": "C", "name": "学院", "area_type": "campus"})
    unit = post(
        "/cells",
        {
            "code": "JD",
            "name": "机电",
            "area_type": "unit",
            "parent_id": root["id"],
            "unit_code": "JD",
        },
    )
    lab = post(
        "/cells",
        {
            "code": "JD-LAB",
            "name": "化工实训室",
            "area_type": "lab",
            "parent_id": unit["id"],
        },
    )
    for name, phone, since in (
        ("王旧", "13800000001", "2021-09-01"),
        ("李新", "13800000002", "2021-11-22"),
    ):
        person = post("/people", {"name": name, "phone": phone, "unit_code": "JD"})
        post(
            "/assignments",
            {
                "cell_id": lab["id"],
                "person_id": person["id"],
                "role": "head",
                "effective_from": since,
            },
        )
    return lab["id"]


def test_a_finding_makes_one_flag_naming_that_days_holder_and_revealed_hazards_link_back(
    databases, amqp_url, processes
):
    env = suite_env(databases, amqp_url, CAMPUS_CHECKED_POSTS="")
    for service in ("grid", "hazards", "reporting"):
        processes.worker(service, env)
    config = {"amqp_url": amqp_url}

    def app(service: str, **extra):
        return create_app(
            service, {**config, "database_url": databases.urls[service], **extra}
        ).test_client()

    grid, hazards, reporting = app("grid", checked_posts=""), app("hazards"), app("reporting")
    lab = seed_grid(grid)
    for service in ("hazards", "reporting"):
        wait_until(
            lambda service=service: (
                databases.scalar(
                    service, "SELECT count(*) FROM grid_assignments WHERE cell_id = :c", c=lab
                )
                == 2
            ),
            timeout=30,
            message=f"{service}'s grid projection",
        )

    incident = hazards.post(
        "/incidents",
        json={
            "occurred_at": "2021-11-15T14:30:00+08:00",
            "cell_id": lab,
            "kind": "laboratory",
            "severity": "general",
            "title": "化工实训室试剂起火",
            "narrative": "学生实训时酒精灯引燃试剂瓶，现场扑灭",
            "injuries": 1,
        },
        headers=SO,
    )
    assert incident.status_code == 201, incident.get_json()
    incident_id = incident.get_json()["id"]
    path = f"/incidents/{incident_id}"
    chain = {"told": "安全保卫处值班室", "told_at": "2021-11-15T14:40:00+08:00", "channel": "电话"}
    assert hazards.post(f"{path}/reports", json=chain, headers=SO).status_code == 201
    causes = {"causes": "试剂存放不规范，实训前未检查"}
    assert hazards.put(f"{path}/investigation", json=causes, headers=SO).status_code == 200
    revealed = [
        hazards.post(f"{path}/hazards", json=body, headers=SO)
        for body in (
            {"category": "lab_chemicals", "description": "危化品柜未上锁"},
            {"category": "fire", "description": "实训室灭火器过期"},
        )
    ]
    assert [r.status_code for r in revealed] == [201, 201], [r.get_json() for r in revealed]
    finding = {"unit_code": "JD", "text": "实训室管理制度落实不到位", "found_on": "2021-11-25"}
    assert hazards.post(f"{path}/finding", json=finding, headers=SO).status_code == 200

    def incident_flags() -> list[dict]:
        response = reporting.get("/flags?rule=incident_responsibility", headers=SO)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    wait_until(lambda: len(incident_flags()) == 1, timeout=30, message="the flag")
    [flag] = incident_flags()
    assert (flag["unit_code"], flag["person_name"]) == ("JD", "王旧")  # not today's 李新
    assert flag["person_basis"] == "place_holder"
    assert flag["evidence"]["incident_id"] == incident_id

    # The finding delivered again: the same message, and announced afresh (a new event id)
    [body] = [
        row[0]
        for row in databases.rows(
            "hazards", "SELECT body FROM outbox WHERE event_type = 'incident.responsibility_found'"
        )
    ]
    fresh = json.loads(body)
    fresh["id"] = str(uuid.uuid4())
    publish(
        amqp_url,
        [
            ("incident.responsibility_found", body.encode()),
            ("incident.responsibility_found", json.dumps(fresh).encode()),
        ],
    )
    wait_until(
        lambda: (
            databases.scalar(
                "reporting", "SELECT count(*) FROM inbox WHERE event_id = :id", id=fresh["id"]
            )
            == 1
        ),
        timeout=30,
        message="the duplicate consumed",
    )
    assert len(incident_flags()) == 1
    assert (
        databases.scalar(
            "reporting", "SELECT count(*) FROM flags WHERE rule = 'incident_responsibility'"
        )
        == 1
    )

    # The revealed hazards: in the ledger with their source, on the incident's page, and
    # (through hazard.created) in reporting's projection.
    numbers = [r.get_json()["number"] for r in revealed]
    page = hazards.get(path, headers=SO).get_json()
    assert [h["number"] for h in page["hazards"]] == numbers
    for number, position in zip(numbers, (1, 2), strict=True):
        [hazard] = hazards.get(f"/hazards?q={number}", headers=SO).get_json()
        assert (hazard["source"], hazard["source_ref"]) == (
            "incident",
            f"{incident_id}:{position}",
        )
        assert hazard["responsible_person_name"] == "李新"  # who answers for the place now
    ids = [r.get_json()["id"] for r in revealed]
    wait_until(
        lambda: (
            databases.scalar(
                "reporting",
                "SELECT count(*) FROM hazard_projection WHERE hazard_id IN (:a, :b)",
                a=ids[0],
                b=ids[1],
            )
            == 2
        ),
        timeout=30,
        message="the revealed hazards in reporting",
    )
    stats = reporting.get("/statistics/incidents?unit_code=JD", headers=SO).get_json()
    assert (stats["incidents"], stats["by_kind"], stats["goal"]["met"]) == (
        1,
        {"laboratory": 1},
        True,
    )
