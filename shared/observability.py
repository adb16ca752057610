"""Structured logs with a request id, Prometheus metrics, and health endpoints.

The request id (``X-Request-ID`` in, or a new UUID) is echoed in the response,
written on every log line of the request and stored as ``correlation_id`` in every
event the request publishes.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from collections.abc import Callable

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

from shared import context


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(json_format: bool = True, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if getattr(root, "_campus_configured", False):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter()
        if json_format
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    root.handlers = [handler]
    root.setLevel(level)
    logging.getLogger("pika").setLevel(logging.WARNING)
    root._campus_configured = True  # type: ignore[attr-defined]


def install_request_context(app: Flask, registry: CollectorRegistry) -> None:
    requests = Counter(
        "http_requests_total",
        "HTTP requests by endpoint and status",
        ["method", "endpoint", "status"],
        registry=registry,
    )
    latency = Histogram(
        "http_request_duration_seconds",
        "HTTP request latency",
        ["method", "endpoint"],
        registry=registry,
    )

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 else str(uuid.uuid4())
        g.started = time.perf_counter()
        context.request_id.set(g.request_id)
        context.actor.set(None)

    @app.after_request
    def _finish(response: Response) -> Response:
        endpoint = request.endpoint or "unmatched"
        started = g.get("started")
        if started is not None:
            latency.labels(request.method, endpoint).observe(time.perf_counter() - started)
        requests.labels(request.method, endpoint, str(response.status_code)).inc()
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response


def health_blueprint(
    registry: CollectorRegistry, checks: dict[str, Callable[[], None]]
) -> Blueprint:
    bp = Blueprint("health", __name__)

    @bp.get("/healthz")
    def healthz():
        return {"status": "ok", "service": current_app.config["SERVICE_NAME"]}

    @bp.get("/readyz")
    def readyz():
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:  # any failure means "not ready"
                logging.getLogger("campus.health").warning("readyz: %s failed: %s", name, exc)
                results[name] = "unavailable"
        ready = all(v == "ok" for v in results.values())
        return {"status": "ready" if ready else "unavailable", "checks": results}, (
            200 if ready else 503
        )

    @bp.get("/metrics")
    def metrics():
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    return bp
