"""HTTP calls from the console to the four services, with the signed-in person's token.

The console has no database of the services: every page is built from their APIs, and
every rule (scope, workflow, deadlines) is applied there. Errors come back as
``ServiceError`` carrying the service's problem+json (status, detail, fields).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g, request

from shared.client_ip import ProxyHTTPHandler, client_ip

# Calls to a service on this host leave from the proxies' address (shared.client_ip), so
# the grid trusts the person's address the console forwards, and no other local process.
_OPENER = urllib.request.build_opener(ProxyHTTPHandler())

SERVICE_NAMES = {
    "grid": "网格管理",
    "hazards": "隐患台账",
    "education": "安全教育",
    "reporting": "统计报表",
}


class ServiceError(Exception):
    def __init__(self, status: int, problem: dict[str, Any], service: str) -> None:
        self.status = status
        self.problem = problem
        self.service = service
        super().__init__(f"{service}: {status} {problem.get('detail') or problem.get('title')}")

    @property
    def detail(self) -> str:
        detail = self.problem.get("detail") or self.problem.get("title") or ""
        return str(detail)

    @property
    def fields(self) -> list[dict[str, str]]:
        return list(self.problem.get("invalid_params") or [])


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    content_type: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def total(self) -> int | None:
        """Item count of a paginated list (flask-smorest's X-Pagination header)."""
        return self.pagination.get("total")

    @property
    def pagination(self) -> dict[str, Any]:
        """X-Pagination: the total, and for the ledger its cursors and ``total_exact``."""
        raw = self.headers.get("x-pagination")
        return json.loads(raw) if raw else {}


def _multipart(files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    boundary = f"----campus{uuid.uuid4().hex}"
    parts = []
    for name, filename, media_type, content in files:
        safe = filename.replace('"', "").replace("\r", "").replace("\n", "") or "upload"
        parts.append(
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="{name}"; filename="{safe}"\r\n'
                f"Content-Type: {media_type or 'application/octet-stream'}\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _url(service: str, path: str, params: dict[str, Any] | None) -> str:
    base = current_app.config["CONSOLE_SERVICE_URLS"][service].rstrip("/")
    query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
    return f"{base}{path}" + (f"?{urllib.parse.urlencode(query, doseq=True)}" if query else "")


def _headers(token: str | None, headers: dict[str, str] | None) -> dict[str, str]:
    """The request's headers: the person's token, the request id, the person's address."""
    sent = {"Accept": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    request_id = getattr(g, "request_id", None)
    if request_id:
        sent["X-Request-ID"] = request_id
    if request:  # the person's address, for the grid's per-address sign-in limits
        sent.setdefault(
            "X-Forwarded-For",
            client_ip(
                request.remote_addr,
                request.headers.get("X-Forwarded-For"),
                current_app.config["CONSOLE_TRUSTED_PROXIES"],
            ),
        )
    return sent


def _body(
    sent: dict[str, str], json_body: Any, files: list[tuple[str, str, str, bytes]] | None
) -> bytes | None:
    """The request's body (files as multipart, else JSON); sets its Content-Type in ``sent``."""
    if files is not None:
        data, sent["Content-Type"] = _multipart(files)
        return data
    if json_body is not None:
        sent["Content-Type"] = "application/json"
        return json.dumps(json_body, ensure_ascii=False, default=str).encode()
    return None


def _send(outgoing: urllib.request.Request, service: str) -> Reply:
    """The service's answer, whatever its status; 503 ``ServiceError`` when unreachable."""
    timeout = current_app.config["CONSOLE_SERVICE_TIMEOUT"]
    try:
        with _OPENER.open(outgoing, timeout=timeout) as response:
            return Reply(
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
                response.headers.get("Content-Type", ""),
            )
    except urllib.error.HTTPError as err:
        return Reply(
            err.code,
            {k.lower(): v for k, v in err.headers.items()},
            err.read(),
            err.headers.get("Content-Type", ""),
        )
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        current_app.logger.warning("%s unreachable: %s", service, exc)
        raise ServiceError(
            503,
            {"title": "Service Unavailable", "detail": f"{SERVICE_NAMES[service]}服务暂时无法访问"},
            service,
        ) from exc


def _refusal(reply: Reply, service: str) -> ServiceError:
    """An error answer as a ``ServiceError`` carrying its problem+json (if it has one)."""
    try:
        problem = json.loads(reply.body) if reply.body else {}
    except ValueError:
        problem = {}
    return ServiceError(reply.status, problem if isinstance(problem, dict) else {}, service)


def call(
    service: str,
    method: str,
    path: str,
    *,
    token: str | None,
    params: dict[str, Any] | None = None,
    json_body: Any = None,
    files: list[tuple[str, str, str, bytes]] | None = None,
    headers: dict[str, str] | None = None,
    raise_for_status: bool = True,
) -> Reply:
    """One request to ``service``; ``ServiceError`` for an error answer (4xx/5xx) or an
    unreachable service (status 503)."""
    sent = _headers(token, headers)
    data = _body(sent, json_body, files)
    outgoing = urllib.request.Request(
        _url(service, path, params), data=data, method=method, headers=sent
    )
    reply = _send(outgoing, service)
    if raise_for_status and reply.status >= 400:
        raise _refusal(reply, service)
    return reply
