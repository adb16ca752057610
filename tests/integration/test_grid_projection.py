"""After a head changes in the grid, the hazard ledger's own projection answers the new
head for that cell (grid outbox → relay → RabbitMQ → hazards consumer)."""

from __future__ import annotations

import pytest

from services.registry import create_app
from tests.support.fixtures import bearer, suite_env
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

SO = bearer("security_office")


def test_hazard_service_learns_the_new_head(databases, amqp_url, processes):
    env = suite_env(databases, amqp_url)
    processes.worker("grid", env)
    processes.worker("hazards", env)
    processes.worker("reporting", env)
    config = {"amqp_url": amqp_url}
    grid = create_app("grid", {**config, "database_url": databases.urls["grid"]}).test_client()
    hazards = create_app(
        "hazards", {**config, "database_url": databases.urls["hazards"]}
    ).test_client()

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
    dorm = post(
        "/cells",
        {"code": "JD-D1", "name": "1号宿舍楼", "area_type": "dormitory", "parent_id": unit["id"]},
    )
    old = post("/people", {"name": "张伟", "phone": "13800000001", "unit_code": "JD"})
    new = post("/people", {"name": "李娜", "phone": "13800000002", "unit_code": "JD"})
    post(
        "/assignments",
        {
            "cell_id": dorm["id"],
            "person_id": old["id"],
            "role": "head",
            "effective_from": "2021-09-01",
        },
    )

    def head(day: str):
        response = hazards.get(f"/cells/{dorm['id']}/responsible?on={day}&role=head", headers=SO)
        assert response.status_code == 200
        return [r["person_name"] for r in response.get_json()]

    wait_until(lambda: head("2021-11-20") == ["张伟"], timeout=30, message="first head")
    post(
        "/assignments",
        {
            "cell_id": dorm["id"],
            "person_id": new["id"],
            "role": "head",
            "effective_from": "2021-11-22",
        },
    )
    wait_until(lambda: head("2021-11-22") == ["李娜"], timeout=30, message="new head")
    assert head("2021-11-21") == ["张伟"]  # the past stays answerable
    # Reporting keeps the same projection (accountability names the person of the time).
    wait_until(
        lambda: databases.scalar("reporting", "SELECT count(*) FROM grid_assignments") == 2,
        timeout=30,
        message="reporting projection",
    )
    assert databases.scalar("reporting", "SELECT name FROM grid_units WHERE code = 'JD'") == (
        "机电工程学院"
    )
