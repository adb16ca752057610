"""Who may say who the client is (issue 14 item 12, shared/client_ip.py).

X-Forwarded-For was trusted from any loopback peer, so any process on the server could
choose the address it was counted under. Now only the configured proxies are trusted: by
default 127.0.0.2, where the shipped nginx (``proxy_bind``) and the console connect from.
The grid's side (what a sign-in attempt is counted under) is in test_grid_login.py.
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shared import client_ip as module
from shared.client_ip import ProxyHTTPHandler, client_ip
from shared.config import load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_a_plain_loopback_peer_is_counted_under_its_own_address():
    assert client_ip("127.0.0.1", "1.2.3.4") == "127.0.0.1"
    assert client_ip("::1", "1.2.3.4") == "::1"
    assert client_ip("127.0.0.2", "1.2.3.4, 127.0.0.1") == "1.2.3.4"


def test_the_trusted_proxies_are_a_setting(monkeypatch):
    monkeypatch.setenv("CAMPUS_TRUSTED_PROXIES", "10.0.0.0/8")
    trusted = load_settings("grid", {"database_url": "sqlite://"}).trusted_proxies
    assert client_ip("10.1.2.3", "1.2.3.4", trusted) == "1.2.3.4"
    assert client_ip("127.0.0.2", "1.2.3.4", trusted) == "127.0.0.2"
    monkeypatch.setenv("CAMPUS_TRUSTED_PROXIES", "")  # trust nobody
    nobody = load_settings("grid", {"database_url": "sqlite://"}).trusted_proxies
    assert client_ip("127.0.0.2", "1.2.3.4", nobody) == "127.0.0.2"


class _Peer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = self.client_address[0].encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Peer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def _peer_seen(url: str) -> str:
    with urllib.request.build_opener(ProxyHTTPHandler()).open(url, timeout=5) as response:
        return response.read().decode()


def test_the_console_calls_a_local_service_from_the_proxies_address(server):
    assert _peer_seen(server) == module.PROXY_SOURCE == "127.0.0.2"


def test_where_that_address_is_not_the_host_s_the_console_connects_as_itself(server, monkeypatch):
    monkeypatch.setattr(module, "PROXY_SOURCE", "192.0.2.1")  # TEST-NET: never local
    assert _peer_seen(server) == "127.0.0.1"


def test_the_shipped_nginx_connects_from_the_trusted_address():
    conf = (ROOT / "deploy/nginx/campus-safety.conf").read_text(encoding="utf-8")
    assert f"proxy_bind {module.PROXY_SOURCE};" in conf
    assert load_settings("grid", {"database_url": "sqlite://"}).trusted_proxies == "127.0.0.2"
    gunicorn = (ROOT / "deploy/gunicorn_conf.py").read_text(encoding="utf-8")
    assert "CAMPUS_TRUSTED_PROXIES" in gunicorn  # X-Forwarded-Proto from the same peers
