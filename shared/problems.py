"""Every error leaves a service as RFC 9457 ``application/problem+json``.

Validation errors name the failing fields in ``invalid_params`` (one entry per
field, with its location: json, query, headers…); unexpected exceptions are logged
with the request id and answered with a bare 500 that leaks no stack trace. The
exceptions themselves are pure (``shared.errors``); this module is their web rendering.

A person reads every ``detail`` and ``reason`` (the console shows them): they are Chinese.
Marshmallow's reasons are made Chinese where they are made (``shared.messages``); the HTTP
errors Werkzeug raises itself (no such route, a method the route does not take…) get
their detail here, by status (``HTTP_DETAILS``).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, g, json, request
from marshmallow import INCLUDE, Schema, fields
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from shared.errors import DomainError
from shared.messages import is_chinese

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

# The detail of an HTTP error Werkzeug or flask-smorest raised (their descriptions are
# English), by status.
HTTP_DETAILS = {
    400: "请求有误，服务无法理解。",
    401: "未登录或登录已失效，请重新登录。",
    403: "无权访问。",
    404: "没有这个地址，或所要的记录不存在。",
    405: "此地址不接受 {method} 请求。",
    406: "无法按所要求的格式答复。",
    409: "与当前状态冲突。",
    410: "所要的内容已不存在。",
    411: "请求须写明长度（Content-Length）。",
    412: "记录已被他人修改，请刷新后重试。",
    413: "请求体太大。",
    414: "地址太长。",
    415: "不支持此内容类型。",
    422: "请求的内容有误。",
    428: "须带 If-Match 请求头（先读取记录，取其 ETag）。",
    429: "请求过于频繁，请稍后再试。",
    431: "请求头太大。",
    500: "服务内部出错，请稍后再试。",
    501: "此功能尚未提供。",
    503: "服务暂时不可用，请稍后再试。",
}


def http_detail(status: int) -> str:
    text = HTTP_DETAILS.get(status) or ("请求未被受理。" if status < 500 else "服务出错。")
    return text.format(method=request.method)


def invalid_detail(invalid: list[dict[str, str]]) -> str:
    """The detail of a refusal that names its fields: each field and why."""
    return "请求的内容有误：" + "；".join(
        f"{p['name']}：{p['reason'].rstrip('。')}" for p in invalid
    )


def handle_http_exception(error: HTTPException) -> Response:
    data = getattr(error, "data", None) or {}
    messages = data.get("errors") or data.get("messages")
    invalid = flatten_messages(messages) if messages else None
    message = data.get("message")
    detail = message if is_chinese(message) else http_detail(error.code or 500)
    if invalid and not is_chinese(message):
        detail = invalid_detail(invalid)
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
    return problem_response(500, "Internal Server Error", http_detail(500))


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
        "数据库暂时无法连接，请稍后重试。",
        headers={"Retry-After": "1"},
    )


def register_error_handlers(app) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(sa_exc.DBAPIError, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
