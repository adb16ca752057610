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

from tests.support.waiting import wait_until

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


# -- chaos tests: free ports, a private PostgreSQL cluster, RabbitMQ cluster nodes ----------
def port_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(start: int = 20000, stop: int = 30000, *, also: tuple[int, ...] = ()) -> int:
    """A free TCP port in [start, stop) whose companions (port + each of ``also``) are free
    too (RabbitMQ's distribution port is the AMQP port + 20000)."""
    import random

    candidates = list(range(start, stop))
    random.shuffle(candidates)
    for port in candidates:
        if all(port_free(port + offset) for offset in (0, *also)):
            return port
    raise RuntimeError(f"no free port in {start}-{stop}")


def _pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"), key=lambda v: int(v.split(".")[0]))[-1]


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of the test's own (Debian's pg_createcluster), which the test may
    restart or crash; the machine's shared cluster is left alone."""

    port: int = field(default_factory=lambda: free_port(55400, 55900))
    name: str = field(default_factory=lambda: f"chaos{uuid.uuid4().hex[:6]}")
    version: str = field(default_factory=_pg_version)

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL of one database of this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def _ctl(self, *args: str) -> None:
        cmd = ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, *args]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {result.stderr or result.stdout}")

    def start(self) -> None:
        """Create the cluster (first call) and start it."""
        if not Path(f"/etc/postgresql/{self.version}/{self.name}").exists():
            subprocess.run(
                [
                    "pg_createcluster",
                    *("-p", str(self.port)),
                    *("-o", "max_connections=300"),
                    self.version,
                    self.name,
                    "--",
                    "--auth=trust",
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        self._ctl("start")
        wait_until(self.is_up, timeout=60, interval=0.2, message=f"PostgreSQL {self.name}")

    def restart(self, mode: str = "fast") -> None:
        """``fast``: clean shutdown, clients disconnected; ``immediate``: a crash (recovery
        from the WAL at start)."""
        self._ctl("restart", "-m", mode)
        wait_until(self.is_up, timeout=60, interval=0.2, message=f"PostgreSQL {self.name}")

    def is_up(self) -> bool:
        try:
            with psycopg.connect(self.admin_url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        subprocess.run(
            ["pg_dropcluster", "--stop", self.version, self.name],
            capture_output=True,
            timeout=120,
        )


@dataclass
class ClusterNode(PrivateBroker):
    """A private RabbitMQ node meant to join others (``rabbitmqctl join_cluster``)."""

    port: int = field(default_factory=lambda: free_port(5700, 6000, also=(20000,)))
    name: str = field(default_factory=lambda: f"cschaos{uuid.uuid4().hex[:6]}@localhost")

    def join(self, other: PrivateBroker) -> None:
        rabbitmqctl("stop_app", node=self.name)
        rabbitmqctl("join_cluster", other.name, node=self.name)
        rabbitmqctl("start_app", node=self.name)
        wait_until(self.is_up, timeout=60, interval=0.5, message=f"{self.name} to rejoin")
