"""Concurrency on PostgreSQL: gap-free numbers, and optimistic locking of transitions."""

from __future__ import annotations

import json
import threading

import pytest

from services.hazards.domain import format_number
from services.registry import create_app
from tests.support.fixtures import bearer

pytestmark = pytest.mark.integration

JD = bearer("unit_manager", unit="JD", sub="manager-JD")
NEW = {"unit_code": "JD", "category": "fire", "found_at": "2021-11-10T09:00:00+08:00"}


def run_together(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def app(databases, amqp_url):
    return create_app("hazards", {"database_url": databases.urls["hazards"], "amqp_url": amqp_url})


def test_twenty_concurrent_creates_get_unique_gap_free_numbers(app, databases):
    def create(i: int):
        response = app.test_client().post(
            "/hazards", json={**NEW, "description": f"并发 {i}"}, headers=JD
        )
        return response.status_code, response.get_json()["number"]

    results = run_together(20, create)
    assert {status for status, _ in results} == {201}
    numbers = sorted(number for _, number in results)
    assert numbers == [f"YH-2021-{n:05d}" for n in range(1, 21)]
    assert databases.scalar("hazards", "SELECT count(DISTINCT number) FROM hazards") == 20
    assert announced_numbers(databases) == numbers  # each event carries its final number


def announced_numbers(databases) -> list[str]:
    sql = "SELECT body FROM outbox WHERE event_type = 'hazard.created'"
    bodies = databases.rows("hazards", sql)
    return sorted(json.loads(body)["data"]["number"] for (body,) in bodies)


def test_numbers_grow_past_five_digits_like_the_domain_formats_them(app, databases):
    """The number is written by one SQL statement on PostgreSQL: same format as Python's."""
    client = app.test_client()
    client.post("/hazards", json={**NEW, "description": "第一条"}, headers=JD)
    databases.execute("hazards", "UPDATE hazard_number_counters SET last_serial = 99998")
    numbers = [
        client.post("/hazards", json={**NEW, "description": f"第{i}条"}, headers=JD).get_json()[
            "number"
        ]
        for i in range(2)
    ]
    assert numbers == [format_number(2021, 99999), format_number(2021, 100000)]
    assert numbers == ["YH-2021-99999", "YH-2021-100000"]
    assert announced_numbers(databases) == sorted(["YH-2021-00001", *numbers])


def test_two_transitions_with_the_same_etag_one_wins_one_gets_412(app, databases):
    client = app.test_client()
    hazard = client.post("/hazards", json={**NEW, "description": "同时登记"}, headers=JD).get_json()
    etag = client.get(f"/hazards/{hazard['id']}", headers=JD).headers["ETag"]

    def register(i: int) -> int:
        response = app.test_client().post(
            f"/hazards/{hazard['id']}/register",
            json={"deadline": f"2030-01-{i + 1:02d}"},
            headers={**JD, "If-Match": etag},
        )
        return response.status_code

    assert sorted(run_together(2, register)) == [200, 412]
    assert databases.scalar("hazards", "SELECT version FROM hazards") == 2
    assert (
        databases.scalar(
            "hazards", "SELECT count(*) FROM outbox WHERE event_type = 'hazard.registered'"
        )
        == 1
    )
