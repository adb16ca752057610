"""我的待办 on PostgreSQL (issue 15): every service's GET /todo answers on the production
database, whose read sessions autocommit (a server-side cursor there would be a 500), and
the hazards' list is paged in due-date order past its first page."""

from __future__ import annotations

import pytest

from services.registry import create_app
from tests.support.fixtures import bearer

pytestmark = pytest.mark.integration

JD = bearer("unit_manager", unit="JD", sub="manager-JD")
SO = bearer("security_office", sub="office")


@pytest.fixture
def apps(databases, amqp_url):
    return {
        service: create_app(service, {"database_url": url, "amqp_url": amqp_url}).test_client()
        for service, url in databases.urls.items()
    }


def test_every_to_do_answers_on_postgresql(apps):
    hazards = apps["hazards"]
    for n in range(55):  # more than one page of 50
        body = {"unit_code": "JD", "category": "fire", "description": f"隐患 {n}"}
        assert hazards.post("/hazards", json=body, headers=JD).status_code == 201
    mine = hazards.get("/todo", headers=JD)
    assert mine.status_code == 200, mine.get_json()
    assert mine.get_json()["total"] == 55 and len(mine.get_json()["items"]) == 50
    for service, client in apps.items():
        for who in (JD, SO):
            answer = client.get("/todo", headers=who)
            assert answer.status_code == 200, (service, answer.get_json())
