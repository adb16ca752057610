"""A web process whose pooled database connections died (database restart, failover):
a clear 503 the client may retry, never a 500, and the next request works again."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from services.registry import create_app
from shared.testing.fixtures import bearer

pytestmark = pytest.mark.integration

SO = bearer("security_office")
NEW = {"unit_code": "JD", "category": "fire", "description": "楼道堆放杂物"}


def test_dead_pooled_connections_are_a_503_then_the_service_recovers(databases, amqp_url):
    app = create_app("hazards", {"database_url": databases.urls["hazards"], "amqp_url": amqp_url})
    client = app.test_client()
    created = client.post("/hazards", json=NEW, headers=SO)
    assert created.status_code == 201
    database = app.extensions["campus"].engine.url.database

    # What a database restart does to the pool: every server backend of it is gone.
    admin = create_engine(databases.urls["hazards"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": database},
        ).scalar_one()
    admin.dispose()
    assert killed >= 1

    refused = client.get(f"/hazards/{created.get_json()['id']}", headers=SO)
    assert refused.status_code == 503
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["Retry-After"] == "1"
    assert "Traceback" not in refused.text

    again = client.get(f"/hazards/{created.get_json()['id']}", headers=SO)
    assert again.status_code == 200 and again.get_json()["number"] == created.get_json()["number"]
    assert client.post("/hazards", json=NEW, headers=SO).status_code == 201
