"""The grid counts a sign-in under the address its own settings trust (review of issue 14,
item 12): ``Settings.trusted_proxies``, as the console does, not a second reading of the
environment that a test or an embedding app configured differently."""

from __future__ import annotations

from tests.support.fixtures import bearer
from tests.unit.test_grid_login import ok

SO = bearer("security_office", sub="office")
PROXY = "10.1.1.1"  # trusted by the app's settings only; the environment trusts 127.0.0.2


def _attempt_from(make_app, forwarded_for: str, peer: str) -> str:
    grid = make_app("grid", trusted_proxies=PROXY).test_client()
    grid.post(
        "/auth/login",
        json={"login": "nobody-1", "password": "Wrong-guess-1"},
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": peer},
    )
    [group] = ok(grid.get("/auth/attempts", headers=SO))
    return group["ip"]


def test_the_grid_trusts_the_proxies_of_its_settings(make_app, monkeypatch):
    monkeypatch.delenv("CAMPUS_TRUSTED_PROXIES", raising=False)
    assert _attempt_from(make_app, "192.0.2.9", PROXY) == "192.0.2.9"


def test_the_environment_s_default_proxy_is_not_trusted_then(make_app, monkeypatch):
    monkeypatch.delenv("CAMPUS_TRUSTED_PROXIES", raising=False)
    assert _attempt_from(make_app, "192.0.2.9", "127.0.0.2") == "127.0.0.2"
