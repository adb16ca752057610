"""The console's application factory: configuration, session cookie, CSRF, error pages.

Configuration (environment):
- ``CONSOLE_GRID_URL`` … ``CONSOLE_REPORTING_URL``: where the console reaches the
  services (defaults http://127.0.0.1:5001 … 5004; `campus-safety run` sets them).
- ``CONSOLE_SECRET_KEY``: signs the session cookie (default: derived from
  ``CAMPUS_JWT_SECRET``, which production requires anyway).
- ``CONSOLE_COOKIE_SECURE``: send the cookie over HTTPS only (default on in production).
- ``CONSOLE_URL_PREFIX``: the path the console is served under (``/console`` behind the
  shipped nginx, whose ``/grid/`` … ``/reporting/`` are the services' APIs; default empty:
  the console at ``/`` on its own port, as `campus-safety run` and docker-compose serve it).
  The app mounts itself there (werkzeug's DispatcherMiddleware), so every link, redirect,
  static file and the session cookie's path carry it. It is a setting, never taken from a
  request header (an ``X-Forwarded-Prefix`` a client sent would make redirects point
  anywhere). Outside the prefix only ``/healthz``, ``/readyz`` and ``/metrics`` (the
  health checks and Prometheus, on the console's own port) and ``/`` (a redirect to the
  prefix) answer.
- ``CONSOLE_MODE``: ``campus`` (default: a college's console over its four services) or
  ``province`` (the province installation's console, issue 19: sign-in and every page from
  the province service at ``CONSOLE_PROVINCE_URL``, default http://127.0.0.1:5005; its menu
  shows the province's pages only).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from datetime import timedelta
from typing import Any

from flask import Flask, redirect, render_template, request, session, url_for
from prometheus_client import CollectorRegistry
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from services.console import auth, views
from services.console.client import ServiceError
from services.console.format import register_filters
from services.console.menu import menu_for, menu_groups_for
from services.console.views.common import problem_message
from shared.config import load_settings
from shared.headers import security_headers
from shared.messages import is_chinese
from shared.observability import configure_logging, health_blueprint, install_request_context

DEFAULT_PORTS = {"grid": 5001, "hazards": 5002, "education": 5003, "reporting": 5004}
DEFAULT_PORTS["province"] = 5005  # the province installation (CONSOLE_MODE=province)
MODES = ("campus", "province")
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
_add_security_headers = security_headers(CSP, pages_only=True)


def service_urls(config: dict[str, Any]) -> dict[str, str]:
    urls = dict(config.get("service_urls") or {})
    for service, port in DEFAULT_PORTS.items():
        urls.setdefault(
            service, os.environ.get(f"CONSOLE_{service.upper()}_URL", f"http://127.0.0.1:{port}")
        )
    return urls


URL_PREFIX = re.compile(r"^(/[A-Za-z0-9._~-]+)+$")
# Answered outside the prefix too: the console port's health checks and Prometheus.
UNPREFIXED = ("/healthz", "/readyz", "/metrics")


def url_prefix(config: dict[str, Any]) -> str:
    """``CONSOLE_URL_PREFIX`` as ``/segment[/segment…]``, or "" (served at the root)."""
    raw = config.get("url_prefix")
    if raw is None:
        raw = os.environ.get("CONSOLE_URL_PREFIX", "")
    prefix = str(raw).strip().rstrip("/")
    if prefix and not URL_PREFIX.match(prefix):
        raise ValueError(
            f"CONSOLE_URL_PREFIX={raw!r}: expected a path such as /console (letters, digits, "
            "'.', '_', '~', '-' between slashes)"
        )
    return prefix


def _outside_prefix(app_wsgi, prefix: str):
    """What the process answers outside ``prefix``: the health endpoints (passed to the
    app as they are), ``/`` redirected to the console, nothing else."""

    def outside(environ, start_response):
        path = environ.get("PATH_INFO") or "/"
        if path in UNPREFIXED:
            return app_wsgi(environ, start_response)
        if path == "/":
            location = environ.get("SCRIPT_NAME", "") + prefix + "/"
            start_response("302 Found", [("Location", location), ("Content-Length", "0")])
            return [b""]
        body = f"页面不存在（工作台在 {prefix}/）".encode()
        start_response(
            "404 Not Found",
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return outside


def console_mode(config: dict[str, Any]) -> str:
    """``CONSOLE_MODE``: which installation the console serves; refused when unknown."""
    mode = str(config.get("mode") or os.environ.get("CONSOLE_MODE") or "campus").strip()
    if mode not in MODES:
        raise ValueError(f"CONSOLE_MODE={mode!r}: expected one of {', '.join(MODES)}")
    return mode


def build_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    prefix = url_prefix(config)
    mode = console_mode(config)
    own = ("service_urls", "url_prefix", "mode")
    settings = load_settings("console", {k: v for k, v in config.items() if k not in own})
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
        # Under a prefix the cookie goes to the console's paths only, not to the APIs.
        SESSION_COOKIE_PATH=prefix or "/",
        SESSION_COOKIE_SECURE=os.environ.get("CONSOLE_COOKIE_SECURE", secure_default)
        in ("1", "true", "yes"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,  # several phone photos in one report
        CONSOLE_SERVICE_URLS=service_urls(config),
        CONSOLE_SERVICE_TIMEOUT=float(config.get("service_timeout", 20)),
        CONSOLE_TRUSTED_PROXIES=settings.trusted_proxies,  # nginx, for the person's address
        CAMPUS_TIMEZONE=settings.campus_timezone,
        # Campus sign-in over CAS (统一身份认证): shown when the server is configured.
        CONSOLE_CAS_URL=settings.cas_url if mode == "campus" else None,
        CONSOLE_CAS_SERVICE=settings.cas_service_url,
        TEMPLATES_AUTO_RELOAD=False,
        CONSOLE_MODE=mode,
        # Who signs people in and answers whether a session still holds.
        CONSOLE_AUTH_SERVICE="grid" if mode == "campus" else "province",
    )
    registry = CollectorRegistry()
    install_request_context(app, registry)
    app.register_blueprint(health_blueprint(registry, {}))
    register_filters(app)
    app.before_request(auth.load_user)
    app.before_request(auth.protect)
    app.context_processor(auth.template_context)
    app.jinja_env.globals["menu_for"] = menu_for
    app.jinja_env.globals["menu_groups_for"] = menu_groups_for
    for blueprint in views.BLUEPRINTS if mode == "campus" else views.PROVINCE_BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.register_error_handler(ServiceError, _service_error)
    for status in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(status, _http_error)
    app.after_request(_security_headers)
    if prefix:  # the app sees SCRIPT_NAME=prefix: url_for and redirects carry it
        app.wsgi_app = _mounted(app.wsgi_app, prefix)
    return app


def _mounted(app_wsgi, prefix: str):
    """``app_wsgi`` at ``prefix``, the whole path it is served under: a SCRIPT_NAME the
    server took from the request (gunicorn honours a ``SCRIPT_NAME`` header from a trusted
    peer) is dropped, as is any X-Forwarded-Prefix (never read)."""
    dispatcher = DispatcherMiddleware(_outside_prefix(app_wsgi, prefix), {prefix: app_wsgi})

    def mounted(environ, start_response):
        environ["SCRIPT_NAME"] = ""
        return dispatcher(environ, start_response)

    return mounted


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
    if status == 400:  # the console's own words (a stale form); never Werkzeug's English
        said = getattr(error, "description", None)
        detail = said if is_chinese(said) else "请求有误，请刷新页面后重试"
    return (
        render_template("error.html", status=status, title=ERROR_TITLES.get(status), detail=detail),
        status,
    )


def _service_error(error: ServiceError):
    if error.status == 401:  # token expired or revoked: sign in again
        session.clear()
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?"), expired=1))
    if 400 <= error.status < 500:
        # The service refused the request (a bad filter, a conflict): that status, and why.
        status = error.status
        # A refusal says nothing about the record refused (the service's detail may name it).
        detail = GENERIC_DETAILS.get(status) or problem_message(error)
        title = ERROR_TITLES.get(status, "请求未被受理")
    else:  # the service failed (5xx) or cannot be reached (503)
        status = 503 if error.status == 503 else 502
        detail = error.detail
        title = ERROR_TITLES.get(status)
    return (
        render_template("error.html", status=status, title=title, detail=detail),
        status,
    )


GENERIC_DETAILS = {
    403: "该内容不在您的权限范围内。如需查看，请联系安全保卫处。",
    404: "该记录不存在或已被删除。",
}


def _security_headers(response):
    response = _add_security_headers(response)
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
