"""shared.config: what production refuses to run with (CAMPUS_ENV=production).

The published development secret, and any secret shorter than 32 bytes (HS256's key size,
RFC 7518 3.2), are refused with a message naming CAMPUS_JWT_SECRET. Outside production a
secret of 16 characters or more is enough (tests and laptops). The services' app factories
raise the same ConfigError (tests/security/test_tokens.py).
"""

from __future__ import annotations

import secrets

import pytest

from shared.config import DEV_JWT_SECRET, PRODUCTION_JWT_SECRET_BYTES, ConfigError, load_settings

SQLITE = {"database_url": "sqlite://"}


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("CAMPUS_ENV", "production")
    monkeypatch.delenv("CAMPUS_JWT_SECRET", raising=False)
    return monkeypatch


def test_production_refuses_the_development_secret(production):
    with pytest.raises(ConfigError, match="CAMPUS_JWT_SECRET"):
        load_settings("grid", SQLITE)
    production.setenv("CAMPUS_JWT_SECRET", DEV_JWT_SECRET)
    with pytest.raises(ConfigError, match="a secret of your own"):
        load_settings("grid", SQLITE)


@pytest.mark.parametrize(
    "secret",
    [
        "x" * 16,  # long enough outside production
        "a-campus-secret-of-31-bytes-...",
        "校园安全专项整治平台",  # 10 characters, 30 bytes in UTF-8
    ],
)
def test_production_refuses_a_secret_shorter_than_32_bytes(production, secret):
    assert len(secret.encode()) < PRODUCTION_JWT_SECRET_BYTES == 32
    production.setenv("CAMPUS_JWT_SECRET", secret)
    with pytest.raises(ConfigError) as refused:
        load_settings("grid", SQLITE)
    message = str(refused.value)
    assert "CAMPUS_JWT_SECRET" in message and "32 bytes" in message
    assert secret not in message  # the message names the variable, never its value


def test_production_refuses_a_short_secret_given_as_an_override(production):
    production.setenv("CAMPUS_JWT_SECRET", secrets.token_urlsafe(48))
    with pytest.raises(ConfigError, match="CAMPUS_JWT_SECRET"):
        load_settings("grid", {**SQLITE, "jwt_secret": "s" * 31})


@pytest.mark.parametrize(
    "secret",
    [
        "a-campus-secret-of-exactly-32-b.",
        secrets.token_urlsafe(48),  # what the docs and common.env.example generate
    ],
    ids=["exactly-32-bytes", "token_urlsafe-48"],
)
def test_production_accepts_a_secret_of_32_bytes_or_more(production, secret):
    assert len(secret.encode()) >= 32
    production.setenv("CAMPUS_JWT_SECRET", secret)
    settings = load_settings("grid", SQLITE)
    assert settings.production and settings.jwt_secret == secret


def test_outside_production_16_characters_are_enough(monkeypatch):
    monkeypatch.delenv("CAMPUS_ENV", raising=False)
    monkeypatch.setenv("CAMPUS_JWT_SECRET", "x" * 16)
    assert not load_settings("grid", SQLITE).production
    monkeypatch.setenv("CAMPUS_JWT_SECRET", "x" * 15)
    with pytest.raises(ConfigError, match="16 characters"):
        load_settings("grid", SQLITE)
