"""Unit tests: no broker, SQLite files under tmp_path, migrations applied as in production."""

from __future__ import annotations

import pytest

from services.registry import create_app
from shared.migrations import upgrade

UNREACHABLE_BROKER = "amqp://guest:guest@127.0.0.1:1/%2F"


@pytest.fixture
def make_app(tmp_path):
    def _make(service: str, **config):
        url = f"sqlite:///{tmp_path / service}.db"
        upgrade(service, url)
        app = create_app(service, {"database_url": url, "amqp_url": UNREACHABLE_BROKER, **config})
        return app

    return _make


@pytest.fixture
def hazards_app(make_app):
    return make_app("hazards")


@pytest.fixture
def client(hazards_app):
    return hazards_app.test_client()
