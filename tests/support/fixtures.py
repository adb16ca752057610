"""pytest fixtures: registered by tests/conftest.py with ``pytest_plugins``."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from services.registry import SERVICES, subscriptions
from shared.auth import mint_token
from shared.config import DEV_JWT_SECRET
from shared.db import make_engine
from shared.events.topology import declare_all
from shared.migrations import upgrade
from tests.support import infra

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Databases:
    urls: dict[str, str]
    engines: dict[str, Engine] = field(default_factory=dict)

    def engine(self, service: str) -> Engine:
        if service not in self.engines:
            self.engines[service] = make_engine(self.urls[service])
        return self.engines[service]

    def scalar(self, service: str, sql: str, **params):
        with self.engine(service).connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def execute(self, service: str, sql: str, **params) -> None:
        with self.engine(service).begin() as conn:
            conn.execute(text(sql), params)

    def rows(self, service: str, sql: str, **params) -> list[tuple]:
        with self.engine(service).connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]

    def truncate_all(self) -> None:
        for service in self.urls:
            with self.engine(service).begin() as conn:
                tables = [
                    r[0]
                    for r in conn.execute(
                        text(
                            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                            "AND tablename <> 'alembic_version'"
                        )
                    )
                ]
                if tables:
                    names = ", ".join(f'"{t}"' for t in tables)
                    conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def pg() -> Iterator[Databases]:
    """One migrated PostgreSQL database per service for the whole test session."""
    tag = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
    names = {service: f"cs_test_{service}_{tag}" for service in SERVICES}
    for service, name in names.items():
        infra.create_database(name)
        upgrade(service, infra.sqlalchemy_url(name))
    dbs = Databases({s: infra.sqlalchemy_url(n) for s, n in names.items()})
    try:
        yield dbs
    finally:
        for engine in dbs.engines.values():
            engine.dispose()
        for name in names.values():
            infra.drop_database(name)


@pytest.fixture
def databases(pg: Databases) -> Databases:
    """The session's databases, emptied before the test."""
    pg.truncate_all()
    return pg


@pytest.fixture
def amqp_url() -> Iterator[str]:
    """A fresh RabbitMQ vhost with the suite's topology declared."""
    name, url = infra.create_vhost()
    declare_all(url, "campus.events", subscriptions(), delivery_limit=5)
    try:
        yield url
    finally:
        infra.delete_vhost(name)


@pytest.fixture
def private_broker() -> Iterator[infra.PrivateBroker]:
    broker = infra.PrivateBroker()
    broker.start()
    try:
        yield broker
    finally:
        broker.destroy()


def suite_env(databases: Databases, amqp_url: str, **extra: str) -> dict[str, str]:
    """Environment for suite processes pointing at the test's databases and vhost."""
    env = {
        **os.environ,
        "CAMPUS_AMQP_URL": amqp_url,
        "CAMPUS_LOG_FORMAT": "text",
        "PYTHONUNBUFFERED": "1",
        **{f"{s.upper()}_DATABASE_URL": url for s, url in databases.urls.items()},
    }
    env.update(extra)
    return env


def campus_safety(
    env: dict[str, str],
    *args: str,
    stdin: str | None = None,
    timeout: float = 60,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """``campus-safety ARGS`` as a process in the repository root (what an operator types),
    its output captured as text; ``check``: CalledProcessError when it fails."""
    return subprocess.run(
        [sys.executable, "-m", "services", *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        check=check,
        timeout=timeout,
    )


class Processes:
    """Child processes of a test, logged to files and always cleaned up."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[subprocess.Popen] = []

    def spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}-{len(self.started)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append(process)
        return process

    def worker(self, service: str, env: dict[str, str], *flags: str) -> subprocess.Popen:
        return self.spawn(
            f"{service}-worker", [sys.executable, "-m", f"services.{service}.worker", *flags], env
        )

    def stop_all(self) -> None:
        for process in self.started:
            infra.terminate(process)

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.log_dir.glob("*.log"))
        )


@pytest.fixture
def processes(tmp_path: Path, request) -> Iterator[Processes]:
    procs = Processes(tmp_path)
    yield procs
    procs.stop_all()
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        print(procs.logs())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def token(roles: list[str] | str, unit: str | None = None, sub: str = "tester") -> str:
    roles = [roles] if isinstance(roles, str) else roles
    return mint_token(DEV_JWT_SECRET, sub, roles, unit=unit)


def bearer(roles: list[str] | str, unit: str | None = None, sub: str = "tester") -> dict:
    return {"Authorization": f"Bearer {token(roles, unit, sub)}"}
