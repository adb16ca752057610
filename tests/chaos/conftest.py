"""Chaos tests: the suite as processes on infrastructure of the test's own (a private
PostgreSQL cluster, private RabbitMQ nodes), so faults never touch the machine's shared
servers. Run with ``.venv/bin/python -m pytest tests/chaos -q -s`` (see docs/chaos.md)."""

from __future__ import annotations

import http.client
import json
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from services.registry import SERVICES
from tests.support import infra
from tests.support.fixtures import Databases, campus_safety


@pytest.fixture
def private_pg() -> Iterator[infra.PrivatePostgres]:
    cluster = infra.PrivatePostgres()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def chaos_databases(private_pg: infra.PrivatePostgres) -> Iterator[Databases]:
    """One empty database per service on the private cluster (migrated by the test)."""
    dbs = Databases({s: private_pg.create_database(f"cs_chaos_{s}") for s in SERVICES})
    try:
        yield dbs
    finally:
        for engine in dbs.engines.values():
            engine.dispose()


@pytest.fixture
def chaos_broker() -> Iterator[infra.PrivateBroker]:
    """A private RabbitMQ node on a free port (never the shared broker, never 5690)."""
    broker = infra.PrivateBroker(port=infra.free_port(5700, 6000, also=(20000,)))
    try:
        broker.start()
        yield broker
    finally:
        broker.destroy()


def cli(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """``campus-safety ARGS`` as a process (what an operator types)."""
    result = campus_safety(env, *args, timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"campus-safety {' '.join(args)}: {result.stderr[-2000:]}")
    return result.stdout + result.stderr


def gunicorn_args(service: str, port: int, web_workers: int) -> list[str]:
    """The web process exactly as ``campus-safety run`` starts it."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:deploy.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(web_workers),
        f"services.{service}:create_app()",
    ]


def call(
    port: int, method: str, path: str, headers: dict[str, str], body: Any = None
) -> tuple[int, Any, dict[str, str]]:
    """One HTTP request; (0, None, {}) when the server cannot be reached or hangs up."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        payload = None if body is None else json.dumps(body).encode()
        conn.request(
            method, path, body=payload, headers={"Content-Type": "application/json", **headers}
        )
        response = conn.getresponse()
        raw = response.read()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw.decode(errors="replace")
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}
    except (OSError, http.client.HTTPException):
        return 0, None, {}
    finally:
        conn.close()


def backoff(deadline_seconds: float = 180.0, first: float = 0.05, cap: float = 1.0):
    """Delays between retries of a failed request, until a deadline (then AssertionError)."""
    deadline = time.monotonic() + deadline_seconds
    delay = first
    while True:
        yield
        if time.monotonic() > deadline:
            raise AssertionError(f"request still failing after {deadline_seconds:.0f}s")
        time.sleep(delay)
        delay = min(cap, delay * 2)
