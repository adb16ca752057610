"""A session whose token the grid revoked (signed out elsewhere, password or roles changed)
goes back to the sign-in page and says why, in Chinese."""

from __future__ import annotations

import pytest

from services.console import create_app
from services.console.client import ServiceError
from tests.unit.test_console_app import PERSON, FakeServices, csrf

REVOKED = ServiceError(401, {"title": "Unauthorized", "detail": "revoked"}, "grid")


@pytest.fixture
def fake(monkeypatch):
    services = FakeServices()
    for module in ("auth", "views.account", "views.common", "labels"):
        monkeypatch.setattr(f"services.console.{module}.call", services)
    services.routes[("grid", "POST", "/auth/login")] = {
        "access_token": "token-of-p1",
        "token_type": "Bearer",
        "expires_in": 3600,
        "person": PERSON,
    }
    return services


@pytest.fixture
def client(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPUS_VAR_DIR", str(tmp_path))
    app = create_app({"secret_key": "test-secret-key-0123456789"})
    client = app.test_client()
    form = {"login": "JD100", "password": "secret-1", "csrf_token": csrf(client)}
    assert client.post("/login", data=form).status_code == 302
    return client


def test_a_revoked_session_returns_to_sign_in_with_the_reason(client, fake):
    assert client.get("/account/password").status_code == 200
    client.application.extensions["console_session_checks"].clear()  # the memo has lapsed
    fake.routes[("grid", "GET", "/auth/session")] = REVOKED
    response = client.get("/account/password")
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    page = client.get(response.location).get_data(as_text=True)
    assert "登录已失效" in page and "请重新登录" in page


def test_a_new_password_asks_for_a_new_sign_in(client, fake):
    fake.routes[("grid", "POST", "/auth/password")] = {}
    form = {
        "current_password": "secret-1",
        "new_password": "secret-2x",
        "confirm_password": "secret-2x",
        "csrf_token": csrf(client, "/account/password"),
    }
    response = client.post("/account/password", data=form)
    assert response.status_code == 302 and response.location.startswith("/login")
    page = client.get(response.location).get_data(as_text=True)
    assert "密码已修改" in page and "新密码" in page
    assert client.get("/account/password").status_code == 302  # signed out
