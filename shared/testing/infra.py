"""Real infrastructure for tests: PostgreSQL databases, RabbitMQ vhosts, a private broker.

Tests isolate themselves with databases and vhosts of their own. Tests that stop or
kill a broker start a private RabbitMQ node (own node name, ports and data dir) and
leave the machine's shared broker alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg

from shared.testing.waiting import wait_until

PG_ADMIN_URL = os.environ.get("CAMPUS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_HOST = os.environ.get("CAMPUS_TEST_AMQP_HOST", "127.0.0.1:5672")


def sqlalchemy_url(dbname: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{dbname}"


def create_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rabbitmqctl(*args: str, node: str | None = None, check: bool = True) -> str:
    cmd = ["rabbitmqctl", *(["-n", node] if node else []), *args]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {result.stderr or result.stdout}")
    return result.stdout


def create_vhost(host: str = AMQP_HOST, node: str | None = None) -> tuple[str, str]:
    """Create a fresh vhost; return (name, amqp url)."""
    name = f"cs-test-{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", name, node=node)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*", node=node)
    return name, f"amqp://guest:guest@{host}/{quote(name, safe='')}"


def delete_vhost(name: str, node: str | None = None) -> None:
    rabbitmqctl("delete_vhost", name, node=node, check=False)


@dataclass
class PrivateBroker:
    """A RabbitMQ node of the test's own, which the test may stop, kill and restart."""

    port: int = 5690
    name: str = field(default_factory=lambda: f"cstest{uuid.uuid4().hex[:6]}@localhost")
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cs-rabbit-")))

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.port + 20000),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_PID_FILE": str(self.base / "pid"),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
        }

    def start(self) -> None:
        if not (self.base / "rabbitmq.conf").exists():
            for sub in ("mnesia", "log"):
                (self.base / sub).mkdir(parents=True, exist_ok=True)
            (self.base / "enabled_plugins").write_text("[].\n")
            (self.base / "rabbitmq.conf").write_text(
                f"listeners.tcp.local = 127.0.0.1:{self.port}\nloopback_users = none\n"
            )
            if os.geteuid() == 0:  # Debian's wrapper drops to the rabbitmq user
                shutil.chown(self.base, "rabbitmq", "rabbitmq")
                for path in self.base.rglob("*"):
                    shutil.chown(path, "rabbitmq", "rabbitmq")
        subprocess.run(["rabbitmq-server", "-detached"], env=self._env(), check=True, timeout=60)
        wait_until(self.is_up, timeout=90, interval=0.5, message=f"RabbitMQ node {self.name}")

    def is_up(self) -> bool:
        result = subprocess.run(
            ["rabbitmqctl", "-n", self.name, "await_startup", "-t", "1"],
            capture_output=True,
            timeout=30,
        )
        return result.returncode == 0

    def pid(self) -> int | None:
        try:
            return int((self.base / "pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def kill(self) -> None:
        """SIGKILL the node, as a crash would."""
        pid = self.pid()
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_until(lambda: not _alive(pid), timeout=20, message="broker to die")

    def stop(self) -> None:
        rabbitmqctl("stop", node=self.name, check=False)
        self.kill()

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def terminate(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
