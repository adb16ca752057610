"""Unit tests: no broker, SQLite files under tmp_path, migrations applied as in production
(once per session into a template, copied per test: tests.support.databases)."""

from __future__ import annotations

import pytest
import werkzeug.security

from services.registry import create_app

UNREACHABLE_BROKER = "amqp://guest:guest@127.0.0.1:1/%2F"
# scrypt still, at a 32x lower cost factor: a hash takes ~3 ms instead of ~100 ms. The hash
# names its parameters, so checking it works the same; production keeps werkzeug's default.
TEST_PASSWORD_HASH = "scrypt:1024:8:1"


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """Password hashing at a test cost (the grid's sign-in tests hash dozens of times)."""
    hasher = werkzeug.security.generate_password_hash
    monkeypatch.setattr(hasher, "__defaults__", (TEST_PASSWORD_HASH, *hasher.__defaults__[1:]))
    # Checked for unknown accounts so both answers take alike: as cheap as the others.
    from services.grid import login

    monkeypatch.setattr(login, "_DUMMY_HASH", hasher("not-a-real-password-0000"))


@pytest.fixture
def make_app(tmp_path, sqlite_templates):
    def _make(service: str, **config):
        url = sqlite_templates.url(service, tmp_path / f"{service}.db")
        return create_app(service, {"database_url": url, "amqp_url": UNREACHABLE_BROKER, **config})

    return _make


@pytest.fixture
def hazards_app(make_app):
    return make_app("hazards")


@pytest.fixture
def client(hazards_app):
    return hazards_app.test_client()
