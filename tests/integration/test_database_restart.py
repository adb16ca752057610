"""A web process whose pooled database connections died (database restart, failover).

Web apps do not ping a connection on every request (a round trip each); they ping one
that idled longer than ``db_ping_after_idle_seconds``. So after a restart an idle app
answers normally, and a busy one that still meets a dead connection answers a clear 503
the client may retry — never a 500 — and works again on the next request."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from services.registry import create_app
from tests.support.fixtures import bearer

pytestmark = pytest.mark.integration

SO = bearer("security_office")
NEW = {"unit_code": "JD", "category": "fire", "description": "楼道堆放杂物"}


def hazards_app(databases, amqp_url, ping_after_idle: float):
    overrides = {
        "database_url": databases.urls["hazards"],
        "amqp_url": amqp_url,
        "db_ping_after_idle_seconds": ping_after_idle,
    }
    return create_app("hazards", overrides)


def restart_database(databases, app) -> None:
    """What a database restart does to the pool: every server backend of it is gone."""
    admin = create_engine(databases.urls["hazards"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": app.extensions["campus"].engine.url.database},
        ).scalar_one()
    admin.dispose()
    assert killed >= 1


def test_an_idle_connection_is_pinged_and_replaced_unnoticed(databases, amqp_url):
    app = hazards_app(databases, amqp_url, ping_after_idle=0)  # every checkout counts as idle
    client = app.test_client()
    created = client.post("/hazards", json=NEW, headers=SO).get_json()
    restart_database(databases, app)
    response = client.get(f"/hazards/{created['id']}", headers=SO)
    assert response.status_code == 200 and response.get_json()["number"] == created["number"]


def test_a_dead_busy_connection_is_a_503_then_the_service_recovers(databases, amqp_url):
    app = hazards_app(databases, amqp_url, ping_after_idle=3600)  # never pinged
    client = app.test_client()
    created = client.post("/hazards", json=NEW, headers=SO)
    assert created.status_code == 201
    restart_database(databases, app)

    refused = client.get(f"/hazards/{created.get_json()['id']}", headers=SO)
    assert refused.status_code == 503
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["Retry-After"] == "1"
    assert "Traceback" not in refused.text

    again = client.get(f"/hazards/{created.get_json()['id']}", headers=SO)
    assert again.status_code == 200 and again.get_json()["number"] == created.get_json()["number"]
    assert client.post("/hazards", json=NEW, headers=SO).status_code == 201
