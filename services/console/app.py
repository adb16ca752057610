"""The console's application factory: configuration, session cookie, CSRF, error pages.

Configuration (environment):
- ``CONSOLE_GRID_URL`` … ``CONSOLE_REPORTING_URL``: where the console reaches the
  services (defaults http://127.0.0.1:5001 … 5004; `campus-safety run` sets them).
- ``CONSOLE_SECRET_KEY``: signs the session cookie (default: derived from
  ``CAMPUS_JWT_SECRET``, which production requires anyway).
- ``CONSOLE_COOKIE_SECURE``: send the cookie over HTTPS only (default on in production).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import timedelta
from typing import Any

from flask import Flask, redirect, render_template, request, session, url_for
from prometheus_client import CollectorRegistry

from services.console import auth, views
from services.console.client import ServiceError
from services.console.format import register_filters
from shared.config import load_settings
from shared.observability import configure_logging, health_blueprint, install_request_context

DEFAULT_PORTS = {"grid": 5001, "hazards": 5002, "education": 5003, "reporting": 5004}
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def service_urls(config: dict[str, Any]) -> dict[str, str]:
    urls = dict(config.get("service_urls") or {})
    for service, port in DEFAULT_PORTS.items():
        urls.setdefault(
            service, os.environ.get(f"CONSOLE_{service.upper()}_URL", f"http://127.0.0.1:{port}")
        )
    return urls


def build_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    settings = load_settings("console", {k: v for k, v in config.items() if k != "service_urls"})
    configure_logging(settings.log_json)
    app = Flask("services.console", static_folder="static", template_folder="templates")
    secret = (
        os.environ.get("CONSOLE_SECRET_KEY")
        or hmac.new(
            settings.jwt_secret.encode(), b"campus-console-session", hashlib.sha256
        ).hexdigest()
    )
    secure_default = "1" if settings.production else "0"
    app.config.update(
        SERVICE_NAME="console",
        SECRET_KEY=config.get("secret_key", secret),
        SESSION_COOKIE_NAME="campus_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("CONSOLE_COOKIE_SECURE", secure_default)
        in ("1", "true", "yes"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,  # several phone photos in one report
        CONSOLE_SERVICE_URLS=service_urls(config),
        CONSOLE_SERVICE_TIMEOUT=float(config.get("service_timeout", 20)),
        CAMPUS_TIMEZONE=settings.campus_timezone,
        TEMPLATES_AUTO_RELOAD=False,
    )
    registry = CollectorRegistry()
    install_request_context(app, registry)
    app.register_blueprint(health_blueprint(registry, {}))
    register_filters(app)
    app.before_request(auth.load_user)
    app.before_request(auth.protect)
    app.context_processor(auth.template_context)
    for blueprint in views.BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.register_error_handler(ServiceError, _service_error)
    for status in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(status, _http_error)
    app.after_request(_security_headers)
    return app


ERROR_TITLES = {
    400: "请求有误",
    403: "无权访问",
    404: "页面不存在",
    405: "不支持的操作",
    409: "操作冲突",
    412: "记录已被他人修改",
    413: "文件太大",
    415: "文件类型不支持",
    422: "填写有误",
    429: "操作过于频繁",
    500: "系统错误",
    502: "服务出错",
    503: "服务暂不可用",
}


def _http_error(error):
    status = getattr(error, "code", 500) or 500
    detail = {413: "上传的文件太大（每次合计不超过 64 MB）"}.get(status)
    if status == 400:
        detail = getattr(error, "description", None)
    return (
        render_template("error.html", status=status, title=ERROR_TITLES.get(status), detail=detail),
        status,
    )


def _service_error(error: ServiceError):
    if error.status == 401:  # token expired or revoked: sign in again
        session.clear()
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?"), expired=1))
    status = error.status if error.status in (403, 404, 503) else 502
    # A refusal says nothing about the record refused (the service's detail may name it).
    detail = GENERIC_DETAILS.get(status, error.detail)
    return (
        render_template("error.html", status=status, title=ERROR_TITLES.get(status), detail=detail),
        status,
    )


GENERIC_DETAILS = {
    403: "该内容不在您的权限范围内。如需查看，请联系安全保卫处。",
    404: "该记录不存在或已被删除。",
}


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html" and "Content-Security-Policy" not in response.headers:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", "no-store")
    return response
