"""Concurrency on PostgreSQL: gap-free numbers, and optimistic locking of transitions."""

from __future__ import annotations

import threading

import pytest

from services.registry import create_app
from shared.testing.fixtures import bearer

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
