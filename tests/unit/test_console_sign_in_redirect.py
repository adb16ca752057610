"""After sign-in the console sends the person back only to one of its own pages, judged
as the browser will read the address (tabs and newlines dropped, "\\" read as "/")."""

from __future__ import annotations

import pytest

from services.console import create_app
from tests.unit.test_console_app import PERSON, FakeServices, csrf

HOSTILE = [
    "/%09/evil.example/phish",  # the payload: a tab between the slashes
    "/%0a/evil.example/phish",
    "/%0d%0a/evil.example/",
    "%09//evil.example/",
    "//evil.example/x",
    "/%5Cevil.example/x",  # /\evil
    "%5C%5Cevil.example/x",  # \\evil
    "%5C/evil.example/",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "java%09script:alert(1)",
    "/%00/evil.example/",
    "evil.example/x",
]


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
    return create_app({"secret_key": "test-secret-key-0123456789"}).test_client()


def _sign_in(client, query: str):
    form = {"login": "JD100", "password": "secret-1", "csrf_token": csrf(client)}
    return client.post(f"/login?next={query}", data=form)


@pytest.mark.parametrize("query", HOSTILE)
def test_sign_in_never_leaves_the_console(client, query):
    response = _sign_in(client, query)
    assert response.status_code == 302
    assert response.location == "/"


@pytest.mark.parametrize("query", HOSTILE)
def test_the_sign_in_form_does_not_carry_a_foreign_address(client, query):
    page = client.get(f"/login?next={query}").get_data(as_text=True)
    assert 'name="next" value="/"' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("/hazards%3Fstatus%3Drectified", "/hazards?status=rectified"),
        ("/education/activities/a-1/check-in%3Fcode%3DK7Q2P9", None),
        ("/reporting/flags", None),
    ],
)
def test_the_console_s_own_pages_still_come_back(client, query, expected):
    response = _sign_in(client, query)
    target = expected or query.replace("%3F", "?").replace("%3D", "=")
    assert response.status_code == 302 and response.location == target
