"""Every error leaves a service as RFC 9457 ``application/problem+json``.

Validation errors name the failing fields in ``invalid_params`` (one entry per
field, with its location: json, query, headers…); unexpected exceptions are logged
with the request id and answered with a bare 500 that leaks no stack trace. The
exceptions themselves are pure (``shared.errors``); this module is their web rendering.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, g, json, request
from marshmallow import INCLUDE, Schema, fields
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from shared.errors import DomainError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("campus.errors")


class InvalidParamSchema(Schema):
    name = fields.String(required=True)
    reason = fields.String(required=True)
    location = fields.String()


class ProblemSchema(Schema):
    """Documented shape of every error response.

    RFC 9457 allows extension members (``current_status``, ``row_errors``,
    ``conflicting_activity``…), so the documented schema admits additional properties.
    """

    class Meta:
        unknown = INCLUDE

    type = fields.String()
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    request_id = fields.String()
    invalid_params = fields.List(fields.Nested(InvalidParamSchema))


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    request_id = getattr(g, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    body.update({k: v for k, v in extra.items() if v is not None})
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def flatten_messages(messages: Any, location: str | None = None) -> list[dict[str, str]]:
    """Turn marshmallow/webargs nested messages into [{name, reason, location}]."""
    out: list[dict[str, str]] = []

    def walk(node: Any, path: list[str]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, [*path, str(key)])
        elif isinstance(node, list | tuple) and node and all(isinstance(x, str) for x in node):
            for reason in node:
                out.append(_param(path, reason))
        elif isinstance(node, list | tuple):
            for index, value in enumerate(node):
                walk(value, [*path, str(index)])
        else:
            out.append(_param(path, str(node)))

    def _param(path: list[str], reason: str) -> dict[str, str]:
        parts = [p for p in path if p != "_schema"]
        if location is None and parts and parts[0] in _LOCATIONS:
            loc, name_parts = parts[0], parts[1:]
        else:
            loc, name_parts = location or "body", parts
        return {"name": ".".join(name_parts) or "(body)", "reason": reason, "location": loc}

    walk(messages, [])
    return out


_LOCATIONS = {"json", "query", "querystring", "headers", "form", "files", "view_args", "path"}


def handle_http_exception(error: HTTPException) -> Response:
    data = getattr(error, "data", None) or {}
    messages = data.get("errors") or data.get("messages")
    invalid = flatten_messages(messages) if messages else None
    detail = data.get("message") or (error.description if error.code != 500 else None)
    if invalid and not data.get("message"):
        detail = "; ".join(f"{p['name']}: {p['reason']}" for p in invalid)
    headers = dict(data.get("headers") or {})
    if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    if error.code == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return problem_response(
        error.code or 500,
        error.name,
        detail,
        headers=headers,
        invalid_params=invalid,
    )


DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError)


def handle_domain_error(error: DomainError) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return problem_response(error.status, error.title, error.detail, headers=headers, **error.extra)


def handle_unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem_response(500, "Internal Server Error", "An unexpected error occurred.")


def handle_database_unavailable(error: sa_exc.DBAPIError) -> Response:
    """The database went away (restart, failover, network): a 503 the client may retry.
    Web engines skip the per-request ping, so after a database restart the first request
    of each process lands here while SQLAlchemy drops the stale pooled connections."""
    if not (isinstance(error, DATABASE_UNAVAILABLE) or error.connection_invalidated):
        return handle_unexpected(error)
    log.warning("database unavailable on %s %s: %s", request.method, request.path, error.orig)
    return problem_response(
        503,
        "Service Unavailable",
        "The database is not reachable at the moment; retry shortly.",
        headers={"Retry-After": "1"},
    )


def register_error_handlers(app) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(sa_exc.DBAPIError, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
