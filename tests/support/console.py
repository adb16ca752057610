"""The console against the services' own apps, in process: its HTTP calls (``client._send``)
answered by their Flask test clients, so a page test exercises every rule where it lives.

    monkeypatch.setattr("services.console.client._send", InProcess({"grid": grid_app, ...}))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from services.console import create_app
from services.console.client import Reply, ServiceError


class InProcess:
    """The console's HTTP calls answered by the services' own apps (their test clients)."""

    def __init__(self, apps: dict) -> None:
        self.clients = {name: app.test_client() for name, app in apps.items()}

    def __call__(self, outgoing, service: str) -> Reply:
        if service not in self.clients:  # not started here: as if it were down
            raise ServiceError(503, {"detail": "服务暂时无法访问"}, service)
        url = urlsplit(outgoing.full_url)
        answer = self.clients[service].open(
            url.path,
            query_string=url.query,
            method=outgoing.get_method(),
            headers=dict(outgoing.header_items()),
            data=outgoing.data,
        )
        headers = {k.lower(): v for k, v in answer.headers.items()}
        return Reply(
            answer.status_code, headers, answer.get_data(), headers.get("content-type", "")
        )


def console_over(apps: dict[str, Any], monkeypatch: Any, tmp_path: Path) -> Flask:
    """The console app whose calls reach ``apps`` (service name -> its Flask app) in process;
    a service not among them answers as if it were down."""
    monkeypatch.setattr("services.console.client._send", InProcess(apps))
    monkeypatch.setenv("CAMPUS_VAR_DIR", str(tmp_path))
    return create_app({"secret_key": "test-secret-key-0123456789"})
