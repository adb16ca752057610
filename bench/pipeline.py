"""Benchmark of the event pipeline: hazards outbox → relay → RabbitMQ → reporting consumer.

Run from the repository root::

    .venv/bin/python bench/pipeline.py [--events 10000] [--rate 200] [--seconds 20]

Everything runs against the real PostgreSQL and RabbitMQ of this machine, in resources of
the run's own (two fresh databases and a fresh vhost), removed at the end.

As in production, the relay and the consumer are separate processes, not threads of the
bench: the project pipeline runs the real workers (``python -m services.hazards.worker
--relay-only`` and ``python -m services.reporting.worker --consumer-only``), configured
through the environment (``HAZARDS_DATABASE_URL``, ``REPORTING_DATABASE_URL``,
``CAMPUS_AMQP_URL``; ``CAMPUS_PREFETCH``, ``CAMPUS_CONSUMER_BATCH`` and
``CAMPUS_RELAY_BATCH`` pass through, for tuning experiments). Their output goes to log
files in a temporary directory, whose tail is printed when a worker fails. Each phase
stops its processes with SIGTERM (SIGKILL after 15 s). Phases:

1. drain, project pipeline: N hazard.created events are committed to the hazards outbox;
   the consumer process is started, and once RabbitMQ shows it consuming the clock starts
   and the relay process is spawned. The figure is N / (time until the last of the N
   hazards is in the reporting projection, by its ``updated_at``). It includes the relay
   process's start-up (interpreter, imports, topology declaration, connections: about
   0.5-1 s on an idle machine), which is reported separately too (time to the first row);
2. drain, bare batched: the same, timed the same way, with two processes running this
   script in a hidden mode (``--role bare-relay`` / ``--role bare-consumer``), psycopg and
   pika and nothing of the project: batched publisher confirms, one transaction and one
   multi-row upsert of the projection per consumer batch, no envelope validation, no
   inbox, no counters. Phases 1 and 2 alternate ``--rounds`` times; medians are reported,
   and the project as a ratio to the bare pipeline;
3. drain, naive baseline (``--role naive-relay`` / ``--role naive-consumer``): a relay
   that publishes one row at a time and waits for each confirm (one UPDATE + commit per
   row) and a consumer with prefetch 1 and one transaction + ack per event;
4. steady state: the project's worker processes run while this process, playing the
   hazards web app, commits one event per transaction at ``--rate`` events/s for
   ``--seconds`` on an absolute schedule, from ``--producers`` threads (concurrent
   requests: one durable commit costs a few ms, so a single sequential producer may not
   sustain the rate); per-event latency is ``inbox.processed_at - outbox.created_at``.

Each drain also reports the CPU seconds per 1,000 events of the consumer process, of the
relay process (start-up included) and of PostgreSQL's backends on the run's databases, and
the events per consumer transaction: on a shared machine these move much less than the
rates.

The machine's load average is printed with the summary: other work on it (tests, other
benchmarks) competes with PostgreSQL, RabbitMQ and the workers and skews the figures.

It is a benchmark, not a test: the exit code is 0 whether or not the targets are met,
and non-zero only when something failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pika
import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from services.hazards import commands, domain
from services.hazards.models import Hazard
from services.registry import make_handlers, subscriptions
from services.reporting.models import HazardProjection
from services.reporting.statistics import counters
from shared import vocabulary
from shared.config import load_settings
from shared.db import make_engine, make_session_factory
from shared.events import Envelope, record_event
from shared.events.catalog import validate_data
from shared.events.inbox import InboxMessage, already_processed
from shared.events.outbox import OutboxMessage
from shared.events.topology import (
    connect,
    dead_queue_name,
    declare_all,
    queue_name,
)
from shared.migrations import upgrade
from shared.timeutil import utcnow

EVENT_HANDLERS = make_handlers("reporting", load_settings("reporting"))
# The statistics' counters the consumer keeps beside the projection: emptied with it.
COUNTER_TABLES = ", ".join(t.name for t in counters.TABLES)

if __package__:  # imported as bench.pipeline
    from bench.scratch_db import create_database, drop_database
else:  # run as bench/pipeline.py: bench/ is sys.path[0]
    from scratch_db import create_database, drop_database

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432"
AMQP_HOST = "127.0.0.1:5672"
EXCHANGE = "campus.events"
DELIVERY_LIMIT = 5
SERVICE = "reporting"

UNITS = ("JD", "XX", "CW", "TY", "WY")  # 机电, 信息, 财务, 体育, 外语
CATEGORIES = tuple(domain.CATEGORIES)
INSERT_BATCH = 500
# The bench polls the inbox count only to know when to stop: the figures come from the
# rows' own timestamps, so a slow poll loses no precision and loads PostgreSQL less.
POLL_SECONDS = 0.1
STOP_SECONDS = 15.0  # SIGTERM, then SIGKILL after this long
READY_SECONDS = 60.0  # for a consumer process to show up on its queue
DRAIN_TARGET = 2500.0  # events/s
BARE_RATIO_TARGET = 0.85  # of the bare batched pipeline, same run
P99_TARGET_MS = 25.0  # at --rate, hazard committed -> statistics updated
TUNING_VARS = ("CAMPUS_PREFETCH", "CAMPUS_CONSUMER_BATCH", "CAMPUS_RELAY_BATCH")

RELAY_ARGV = [sys.executable, "-m", "services.hazards.worker", "--relay-only"]
CONSUMER_ARGV = [sys.executable, "-m", "services.reporting.worker", "--consumer-only"]

log = logging.getLogger("bench")


class BenchError(RuntimeError):
    pass


# -- infrastructure ------------------------------------------------------------------


def rabbitmqctl(*args: str, check: bool = True) -> None:
    result = subprocess.run(
        ["rabbitmqctl", *args], capture_output=True, text=True, timeout=60, check=False
    )
    if check and result.returncode != 0:
        raise BenchError(f"rabbitmqctl {' '.join(args)} failed: {result.stderr or result.stdout}")


@dataclass
class Env:
    hazards_db: str
    reporting_db: str
    vhost: str
    amqp_url: str
    log_dir: Path | None = None
    hazards_engine: Engine | None = None
    reporting_engine: Engine | None = None
    _backend_start: dict[int, float] = field(default_factory=dict)

    @property
    def hazards(self) -> sessionmaker[Session]:
        assert self.hazards_engine is not None
        return make_session_factory(self.hazards_engine)

    @property
    def reporting(self) -> sessionmaker[Session]:
        assert self.reporting_engine is not None
        return make_session_factory(self.reporting_engine)

    def child_env(self) -> dict[str, str]:
        """Environment of a worker process: this run's databases, vhost and exchange."""
        pythonpath = os.environ.get("PYTHONPATH")
        return {
            **os.environ,
            "HAZARDS_DATABASE_URL": f"{PG_BASE}/{self.hazards_db}",
            "REPORTING_DATABASE_URL": f"{PG_BASE}/{self.reporting_db}",
            "CAMPUS_AMQP_URL": self.amqp_url,
            "CAMPUS_EXCHANGE": EXCHANGE,
            "CAMPUS_DELIVERY_LIMIT": str(DELIVERY_LIMIT),
            "CAMPUS_LOG_FORMAT": "text",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": f"{ROOT}{os.pathsep}{pythonpath}" if pythonpath else str(ROOT),
        }

    def scalar(self, engine: Engine | None, sql: str) -> int:
        assert engine is not None
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())

    def inbox_count(self) -> int:
        return self.scalar(self.reporting_engine, "SELECT count(*) FROM inbox")

    def unsent_count(self) -> int:
        return self.scalar(
            self.hazards_engine, "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        )

    def backends_cpu(self, since: float | None = None) -> float:
        """CPU seconds of the PostgreSQL backends serving this run's databases; with
        ``since`` (this method's earlier answer), what they used since (backends that
        ended in between are lost: the workers' connections live through a phase)."""
        assert self.hazards_engine is not None
        with self.hazards_engine.connect() as conn:
            rows = conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname IN (:a, :b)"),
                {"a": self.hazards_db, "b": self.reporting_db},
            ).scalars()
            pids = list(rows)
        total = 0.0
        for pid in pids:
            with contextlib.suppress(OSError):
                seconds = cpu_seconds(pid)
                total += seconds
                if since is None:
                    self._backend_start[pid] = seconds
                else:
                    total -= self._backend_start.get(pid, 0.0)
        return total

    def projected_count(self) -> int:
        return self.scalar(self.reporting_engine, "SELECT count(*) FROM hazard_projection")

    def timestamps(self) -> tuple[datetime, datetime, datetime]:
        """(first and last ``hazard_projection.updated_at``: when each hazard was applied,
        by every pipeline alike, inbox or not; last ``outbox.published_at``)."""
        column = HazardProjection.updated_at
        with self.reporting.begin() as session:
            first, last = session.execute(select(func.min(column), func.max(column))).one()
        with self.hazards.begin() as session:
            published = session.scalar(select(func.max(OutboxMessage.published_at)))
        return first, last, published

    def _declare_ok(self) -> dict[str, tuple[int, int]]:
        connection = connect(self.amqp_url)
        try:
            channel = connection.channel()
            result = {}
            for name in (queue_name(SERVICE), dead_queue_name(SERVICE)):
                method = channel.queue_declare(name, passive=True).method
                result[name] = (method.message_count, method.consumer_count)
            return result
        finally:
            connection.close()

    def queue_depths(self) -> dict[str, int]:
        return {name: messages for name, (messages, _) in self._declare_ok().items()}

    def consumer_count(self) -> int:
        return self._declare_ok()[queue_name(SERVICE)][1]

    def reset(self) -> None:
        """Empty outbox, inbox, projection and the reporting queues between phases."""
        assert self.hazards_engine is not None and self.reporting_engine is not None
        with self.hazards_engine.begin() as conn:
            conn.execute(text("TRUNCATE outbox RESTART IDENTITY"))
        with self.reporting_engine.begin() as conn:
            conn.execute(text("TRUNCATE inbox, hazard_projection, " + COUNTER_TABLES))
        connection = connect(self.amqp_url)
        try:
            channel = connection.channel()
            for queue in (queue_name(SERVICE), dead_queue_name(SERVICE)):
                channel.queue_purge(queue)
        finally:
            connection.close()


def setup() -> Env:
    pid = os.getpid()
    env = Env(
        hazards_db=f"bench_hazards_{pid}",
        reporting_db=f"bench_reporting_{pid}",
        vhost=f"bench-pipeline-{pid}",
        amqp_url="",
    )
    env.amqp_url = f"amqp://guest:guest@{AMQP_HOST}/{quote(env.vhost, safe='')}"
    return env


def provision(env: Env, created: dict[str, bool]) -> None:
    """Create databases, vhost and log directory, noting each in ``created`` for teardown."""
    env.log_dir = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    for name, service in ((env.hazards_db, "hazards"), (env.reporting_db, "reporting")):
        create_database(name)
        created[name] = True
        upgrade(service, f"{PG_BASE}/{name}")
    env.hazards_engine = make_engine(f"{PG_BASE}/{env.hazards_db}")
    env.reporting_engine = make_engine(f"{PG_BASE}/{env.reporting_db}")
    rabbitmqctl("add_vhost", env.vhost)
    created["vhost"] = True
    rabbitmqctl("set_permissions", "-p", env.vhost, "guest", ".*", ".*", ".*")
    declare_all(env.amqp_url, EXCHANGE, subscriptions(), DELIVERY_LIMIT)


def teardown(env: Env, created: dict[str, bool], keep_logs: bool) -> list[str]:
    problems: list[str] = []
    for engine in (env.hazards_engine, env.reporting_engine):
        if engine is not None:
            engine.dispose()
    for name in (env.hazards_db, env.reporting_db):
        if created.get(name):
            try:
                drop_database(name)
            except Exception as exc:
                problems.append(f"drop database {name}: {exc}")
    if created.get("vhost"):
        try:
            rabbitmqctl("delete_vhost", env.vhost)
        except Exception as exc:
            problems.append(f"delete vhost {env.vhost}: {exc}")
    if env.log_dir is not None:
        if keep_logs:
            print(f"worker logs kept in {env.log_dir}", file=sys.stderr)
        else:
            shutil.rmtree(env.log_dir, ignore_errors=True)
    return problems


# -- event production ------------------------------------------------------------------


class HazardFactory:
    """Realistic hazard.created data, built from a transient ``Hazard`` like the service."""

    def __init__(self, seed: int = 7, first_serial: int = 1) -> None:
        self._rng = random.Random(seed)
        self._serial = first_serial - 1
        self._year = utcnow().year

    def record(self, session: Session) -> None:
        rng = self._rng
        self._serial += 1
        found_at = utcnow() - timedelta(minutes=rng.randint(0, 60 * 24 * 14))
        deadline_days = rng.choice((None, 3, 7, 15, 30))
        category = rng.choice(CATEGORIES)
        hazard = Hazard(
            id=str(uuid.uuid4()),
            number=domain.format_number(self._year, self._serial),
            unit_code=UNITS[self._serial % len(UNITS)],
            category=category,
            lead_department=vocabulary.default_leads(category)[0],
            severity=str(domain.Severity.MAJOR if rng.random() < 0.1 else domain.Severity.GENERAL),
            status=str(domain.Status.DISCOVERED),
            description=f"巡查发现隐患 #{self._serial}",
            location=f"{rng.randint(1, 12)}号楼 {rng.randint(1, 6)}层",
            found_by="so-bench",
            found_at=found_at,
            deadline=(found_at + timedelta(days=deadline_days)).date() if deadline_days else None,
            source="report",
            reopen_count=0,
            version=1,
        )
        record_event(
            session,
            event_type="hazard.created",
            source=commands.SOURCE,
            subject=hazard.id,
            sequence=hazard.version,
            data=commands.hazard_state(hazard),
            actor="so-bench",
        )

    def fill_outbox(self, factory: sessionmaker[Session], count: int) -> None:
        for start in range(0, count, INSERT_BATCH):
            with factory.begin() as session:
                for _ in range(min(INSERT_BATCH, count - start)):
                    self.record(session)


# -- worker processes ------------------------------------------------------------------


def tail(path: Path, lines: int = 40) -> str:
    try:
        content = path.read_text(errors="replace").splitlines()
    except OSError as exc:
        return f"(no log: {exc})"
    return "\n".join(f"    | {line}" for line in content[-lines:]) or "    | (empty log)"


class Process:
    """A worker process with its stdout and stderr in a log file of its own."""

    def __init__(self, name: str, argv: list[str], env: Env) -> None:
        assert env.log_dir is not None
        self.name = name
        self.reported = False  # its early exit was already raised by check()
        self.terminated = False
        self.log_path = env.log_dir / f"{name.replace(' ', '-')}-{time.monotonic_ns()}.log"
        with open(self.log_path, "wb") as log_file:
            self.popen = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env.child_env(),
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )

    def check(self) -> None:
        code = self.popen.poll()
        if code is not None:
            self.reported = True
            raise BenchError(
                f"{self.name} (pid {self.popen.pid}) exited with {code}; "
                f"tail of {self.log_path}:\n{tail(self.log_path)}"
            )

    def terminate(self) -> None:
        # Once only: a second SIGTERM could arrive while the interpreter shuts down, when
        # the default action (death by signal) is back in place.
        if not self.terminated and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            self.terminated = True

    def stop(self) -> str | None:
        """SIGTERM, wait, SIGKILL after ``STOP_SECONDS``; a problem description or None."""
        if self.reported:
            return None
        self.terminate()
        try:
            code = self.popen.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            return (
                f"{self.name} (pid {self.popen.pid}) ignored SIGTERM for {STOP_SECONDS:.0f}s "
                f"and was killed; tail of {self.log_path}:\n{tail(self.log_path)}"
            )
        if code != 0:
            return (
                f"{self.name} (pid {self.popen.pid}) exited with {code}; "
                f"tail of {self.log_path}:\n{tail(self.log_path)}"
            )
        return None


class Fleet:
    """The worker processes of one phase."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.processes: list[Process] = []

    def spawn(self, name: str, argv: list[str]) -> Process:
        process = Process(name, argv, self.env)
        self.processes.append(process)
        return process

    def check(self) -> None:
        for process in self.processes:
            process.check()

    def wait_consuming(self, timeout: float = READY_SECONDS) -> None:
        """Wait until RabbitMQ shows a consumer on the reporting queue."""
        deadline = time.monotonic() + timeout
        while self.env.consumer_count() < 1:
            self.check()
            if time.monotonic() > deadline:
                raise BenchError(f"no consumer on {queue_name(SERVICE)} after {timeout:.0f}s")
            time.sleep(0.02)

    def stop(self) -> list[str]:
        for process in self.processes:  # all at once, then wait for each
            process.terminate()
        problems = [process.stop() for process in self.processes]
        self.processes = []
        return [problem for problem in problems if problem]


@contextlib.contextmanager
def fleet(env: Env) -> Iterator[Fleet]:
    """Worker processes stopped at the end of the block; a bad exit fails the phase."""
    processes = Fleet(env)
    failed = True
    try:
        yield processes
        failed = False
    finally:
        problems = processes.stop()
        if problems and not failed:
            raise BenchError("\n".join(problems))
        for problem in problems:
            print(f"while stopping after a failure: {problem}", file=sys.stderr)


def baseline_argv(role: str, prefetch: int = 1) -> list[str]:
    script = str(Path(__file__).resolve())
    return [sys.executable, script, "--role", role, "--naive-prefetch", str(prefetch)]


# -- the naive baseline (run in processes of its own via --role) ------------------------


class NaiveRelay:
    """One row per transaction: select it, publish, wait for its confirm, mark it, commit."""

    def __init__(self, factory: sessionmaker[Session], amqp_url: str) -> None:
        self._factory = factory
        self._amqp_url = amqp_url
        self.published = 0

    def run(self, stop: threading.Event) -> None:
        connection = connect(self._amqp_url)
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            while not stop.is_set():
                with self._factory.begin() as session:
                    row = session.execute(
                        select(
                            OutboxMessage.id,
                            OutboxMessage.event_id,
                            OutboxMessage.event_type,
                            OutboxMessage.body,
                        )
                        .where(OutboxMessage.published_at.is_(None))
                        .order_by(OutboxMessage.id)
                        .limit(1)
                        .with_for_update(skip_locked=True)
                    ).first()
                    if row is not None:
                        row_id, event_id, event_type, body = row
                        # Blocks until the broker confirms; raises if nacked or returned.
                        channel.basic_publish(
                            EXCHANGE,
                            event_type,
                            body.encode(),
                            properties=pika.BasicProperties(
                                content_type="application/json",
                                delivery_mode=pika.DeliveryMode.Persistent,
                                message_id=event_id,
                                type=event_type,
                            ),
                            mandatory=True,
                        )
                        session.execute(
                            update(OutboxMessage)
                            .where(OutboxMessage.id == row_id)
                            .values(published_at=utcnow())
                        )
                if row is None:
                    connection.sleep(0.005)
                else:
                    self.published += 1
        finally:
            if connection.is_open:
                connection.close()


class NaiveConsumer:
    """Prefetch 1; per event: one transaction (handler + inbox row), commit, ack."""

    def __init__(self, factory: sessionmaker[Session], amqp_url: str, prefetch: int = 1) -> None:
        self._factory = factory
        self._amqp_url = amqp_url
        self._prefetch = prefetch
        self.applied = 0

    def run(self, stop: threading.Event) -> None:
        connection = connect(self._amqp_url)
        try:
            channel = connection.channel()
            channel.basic_qos(prefetch_count=self._prefetch)
            for method, _properties, body in channel.consume(
                queue_name(SERVICE), inactivity_timeout=0.2
            ):
                if method is not None:
                    envelope = Envelope.from_json(body)
                    validate_data(envelope.type, envelope.version, envelope.data)
                    with self._factory.begin() as session:
                        if not already_processed(session, [envelope.id]):
                            EVENT_HANDLERS[envelope.type](session, envelope)
                            session.add(
                                InboxMessage(
                                    event_id=envelope.id,
                                    event_type=envelope.type,
                                    source=envelope.source,
                                )
                            )
                    channel.basic_ack(method.delivery_tag)
                    self.applied += 1
                if stop.is_set():
                    break
            channel.cancel()
        finally:
            if connection.is_open:
                connection.close()


class BareRelay:
    """Batches: select up to ``batch`` unsent rows (FOR UPDATE SKIP LOCKED), publish them
    all, wait for the broker's (multiple) confirms, mark them sent, commit. psycopg and
    pika's asynchronous connection directly, nothing of the project's relay."""

    def __init__(self, db_url: str, amqp_url: str, batch: int) -> None:
        self._db = psycopg.connect(db_url)
        self._amqp_url = amqp_url
        self._batch = batch
        self._ids: list[int] = []
        self._unconfirmed: set[int] = set()
        self._tag = 0

    def run(self, stop: threading.Event) -> None:
        self._stop = stop
        self._connection = pika.SelectConnection(
            pika.URLParameters(self._amqp_url), on_open_callback=self._opened
        )
        try:
            self._connection.ioloop.start()
        finally:
            self._db.close()

    def _opened(self, connection) -> None:
        connection.channel(on_open_callback=self._channel_open)
        self._watch()

    def _channel_open(self, channel) -> None:
        self._channel = channel
        channel.confirm_delivery(self._confirmed, callback=lambda _frame: self._pump())

    def _watch(self) -> None:
        if self._stop.is_set():
            self._connection.close()
            self._connection.ioloop.stop()
        else:
            self._connection.ioloop.call_later(0.2, self._watch)

    def _pump(self) -> None:
        rows = self._db.execute(
            "SELECT id, event_id, event_type, body FROM outbox WHERE published_at IS NULL "
            "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
            (self._batch,),
        ).fetchall()
        if not rows:
            self._db.commit()
            self._connection.ioloop.call_later(0.005, self._pump)
            return
        self._ids = [row[0] for row in rows]
        for _, event_id, event_type, body in rows:
            self._tag += 1
            self._unconfirmed.add(self._tag)
            self._channel.basic_publish(
                EXCHANGE,
                event_type,
                body.encode(),
                properties=pika.BasicProperties(
                    content_type="application/json",
                    delivery_mode=pika.DeliveryMode.Persistent,
                    message_id=event_id,
                    type=event_type,
                ),
            )

    def _confirmed(self, frame) -> None:
        method = frame.method
        if not isinstance(method, pika.spec.Basic.Ack):
            raise BenchError(f"bare relay: broker nacked {method.delivery_tag}")
        if method.multiple:
            self._unconfirmed = {t for t in self._unconfirmed if t > method.delivery_tag}
        else:
            self._unconfirmed.discard(method.delivery_tag)
        if not self._unconfirmed and self._ids:
            self._db.execute(
                "UPDATE outbox SET published_at = now() WHERE id = ANY(%s)", (self._ids,)
            )
            self._db.commit()
            self._ids = []
            self._pump()


def _nothing_waiting(connection, channel) -> bool:
    """Flush rule of the bare consumer: nothing buffered, nor arriving within a
    millisecond. pika reads the socket 100 KB at a time (about 80 events): catching up
    with a backlog, the project's rule (nothing buffered) flushes that much; reading on
    gives the bare consumer batches nearer the cap (the project's batches stay at about 84
    either way, and it would pay the millisecond on every event at low rates)."""
    if channel.get_waiting_message_count():
        return False
    connection.process_data_events(time_limit=0.001)  # 0 would not poll the socket at all
    return channel.get_waiting_message_count() == 0


# The projection's columns, filled from the event's data as one JSON array per batch.
BARE_COLUMNS = [c.name for c in HazardProjection.__table__.columns]
BARE_SELECT = ", ".join(
    {
        "acceptance_overdue": "coalesce(acceptance_overdue, false)",
        "updated_at": "now()",  # the transaction's: distinct values count the batches
    }.get(name, name)
    for name in BARE_COLUMNS
)
BARE_UPSERT = (
    f"INSERT INTO hazard_projection ({', '.join(BARE_COLUMNS)}) "
    f"SELECT {BARE_SELECT} FROM jsonb_populate_recordset(NULL::hazard_projection, %s) "
    "ON CONFLICT (hazard_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in BARE_COLUMNS if c != "hazard_id")
    + " WHERE hazard_projection.last_sequence < excluded.last_sequence"
)


class BareConsumer:
    """The project's prefetch and batch, then per batch: json.loads, one multi-row
    upsert of the projection (newest sequence wins), commit, one multiple-ack. No
    envelope validation, no inbox, no counters, no flags."""

    def __init__(self, db_url: str, amqp_url: str, prefetch: int, batch: int) -> None:
        self._db = psycopg.connect(db_url)
        self._amqp_url = amqp_url
        self._prefetch = prefetch
        self._batch = batch

    def run(self, stop: threading.Event) -> None:
        connection = pika.BlockingConnection(pika.URLParameters(self._amqp_url))
        try:
            channel = connection.channel()
            channel.basic_qos(prefetch_count=self._prefetch)
            batch: list[tuple[int, bytes]] = []
            for method, _properties, body in channel.consume(
                queue_name(SERVICE), inactivity_timeout=0.2
            ):
                if method is not None:
                    batch.append((method.delivery_tag, body))
                if batch and (len(batch) >= self._batch or _nothing_waiting(connection, channel)):
                    self._apply([body for _, body in batch])
                    channel.basic_ack(batch[-1][0], multiple=True)
                    batch = []
                if stop.is_set():
                    break
            channel.cancel()
        finally:
            connection.close()
            self._db.close()

    def _apply(self, bodies: list[bytes]) -> None:
        newest: dict[str, dict] = {}
        for body in bodies:
            event = json.loads(body)
            row = {**event["data"], "last_sequence": event["sequence"]}
            held = newest.get(row["hazard_id"])
            if held is None or held["last_sequence"] < row["last_sequence"]:
                newest[row["hazard_id"]] = row
        self._db.execute(BARE_UPSERT, (Jsonb(list(newest.values())),))
        self._db.commit()


def baseline_role(role: str, prefetch: int) -> int:
    """Body of ``--role naive-relay|naive-consumer|bare-relay|bare-consumer``: run until
    SIGTERM."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()

    def _stop(_signum, _frame) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    service = "HAZARDS" if role.endswith("-relay") else "REPORTING"
    db_url = os.environ[f"{service}_DATABASE_URL"]
    amqp_url = os.environ["CAMPUS_AMQP_URL"]
    settings = load_settings("reporting")
    if role == "bare-relay":
        BareRelay(db_url.replace("+psycopg", ""), amqp_url, settings.relay_batch).run(stop)
        return 0
    if role == "bare-consumer":
        consumer = BareConsumer(
            db_url.replace("+psycopg", ""), amqp_url, settings.prefetch, settings.consumer_batch
        )
        consumer.run(stop)
        return 0
    engine = make_engine(db_url)
    try:
        factory = make_session_factory(engine)
        if role == "naive-relay":
            NaiveRelay(factory, amqp_url).run(stop)
        else:
            NaiveConsumer(factory, amqp_url, prefetch).run(stop)
    finally:
        engine.dispose()
    return 0


# -- measurements ----------------------------------------------------------------------


@dataclass
class Drain:
    events: int
    seconds: float  # clock start (consumer consuming, relay spawned) -> last inbox row
    relay_seconds: float  # clock start -> last outbox row published
    first_seconds: float  # clock start -> first inbox row (relay start-up included)
    consumer_cpu: float = 0.0  # the consumer process's CPU seconds from clock start to end
    relay_cpu: float = 0.0  # the relay process's CPU seconds, its start-up included
    database_cpu: float = 0.0  # PostgreSQL's backends on the run's two databases, same span
    transactions: int = 0  # the consumer's (batches): distinct inbox.processed_at, or for
    # the bare pipeline distinct hazard_projection.updated_at (now(): per transaction)

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    @property
    def running_rate(self) -> float:
        """Rate once events flow, without the relay's start-up."""
        span = self.seconds - self.first_seconds
        return (self.events - 1) / span if span > 0 else math.inf


def wait_for_inbox(
    env: Env, expected: int, workers: Fleet, timeout: float, inbox: bool = True
) -> None:
    """Poll until the inbox (or, for the bare pipeline, which has none, the projection)
    holds ``expected`` rows, checking the workers are alive."""
    deadline = time.monotonic() + timeout
    while True:
        count = env.inbox_count() if inbox else env.projected_count()
        if count >= expected:
            return
        workers.check()
        if time.monotonic() > deadline:
            raise BenchError(
                f"timed out after {timeout:.0f}s: inbox {count}/{expected}, "
                f"unsent {env.unsent_count()}, queues {env.queue_depths()}"
            )
        time.sleep(POLL_SECONDS)


def check_clean(env: Env, label: str, expected: int, with_inbox: bool = True) -> None:
    projected = env.projected_count()
    inbox = env.inbox_count()
    depths = env.queue_depths()
    if inbox != (expected if with_inbox else 0):
        raise BenchError(f"{label}: inbox has {inbox} rows, expected {expected}")
    if projected != expected:
        raise BenchError(f"{label}: projection has {projected} rows, expected {expected}")
    if depths[dead_queue_name(SERVICE)]:
        raise BenchError(f"{label}: {depths[dead_queue_name(SERVICE)]} dead-lettered messages")


def drain_timeout(events: int) -> float:
    return max(120.0, events / 20.0)


def drain(
    env: Env,
    hazards: HazardFactory,
    events: int,
    label: str,
    relay_argv: list[str],
    consumer_argv: list[str],
    inbox: bool = True,
) -> Drain:
    """Fill the outbox; start the consumer, and once it consumes, the clock and the relay."""
    env.reset()
    hazards.fill_outbox(env.hazards, events)
    with fleet(env) as workers:
        consumer = workers.spawn(f"{label} consumer", consumer_argv)
        workers.wait_consuming()
        consumer_cpu = cpu_seconds(consumer.popen.pid)
        database_cpu = env.backends_cpu()
        started = utcnow()
        relay = workers.spawn(f"{label} relay", relay_argv)
        wait_for_inbox(env, events, workers, drain_timeout(events), inbox)
        consumer_cpu = cpu_seconds(consumer.popen.pid) - consumer_cpu
        relay_cpu = cpu_seconds(relay.popen.pid)
        database_cpu = env.backends_cpu(database_cpu)
    check_clean(env, f"{label} drain", events, inbox)
    first, last, published = env.timestamps()
    column, table = ("processed_at", "inbox") if inbox else ("updated_at", "hazard_projection")
    transactions = env.scalar(env.reporting_engine, f"SELECT count(DISTINCT {column}) FROM {table}")
    return Drain(
        events,
        (last - started).total_seconds(),
        (published - started).total_seconds(),
        (first - started).total_seconds(),
        consumer_cpu,
        relay_cpu,
        database_cpu,
        transactions,
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (/proc): on a shared machine the wall time
    stretches with the others' load, the CPU a worker needs per event much less."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Steady:
    rate: float
    produced: int
    produce_seconds: float
    max_schedule_lag_ms: float
    latencies_ms: list[float]  # outbox.created_at -> inbox.processed_at, sorted
    relay_ms: list[float]  # outbox.created_at -> outbox.published_at, sorted
    producers: int

    @staticmethod
    def percentile(values: list[float], q: float) -> float:
        rank = max(1, math.ceil(q * len(values)))
        return values[rank - 1]


def produce_paced(
    factory: sessionmaker[Session],
    hazards: HazardFactory,
    rate: float,
    total: int,
    producers: int,
) -> tuple[float, float]:
    """Commit ``total`` events, one per transaction, event i at t0 + i/rate.

    The schedule is absolute (no drift). Event i is committed by thread i % producers,
    like concurrent requests of the web app: with a durable commit costing a few ms, one
    sequential producer alone may not keep up with the rate. Returns (seconds taken,
    worst lag behind the schedule in seconds).
    """
    lock = threading.Lock()
    lags = [0.0] * producers
    errors: list[BaseException] = []
    t0 = time.perf_counter()

    def produce(index: int) -> None:
        try:
            for i in range(index, total, producers):
                delay = t0 + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                else:
                    lags[index] = max(lags[index], -delay)
                # The lock (the factory's random generator and serials) is released
                # before the transaction commits.
                with factory.begin() as session, lock:
                    hazards.record(session)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=produce, args=(index,), name=f"producer-{index}", daemon=True)
        for index in range(producers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise BenchError(f"producer failed: {errors[0]!r}") from errors[0]
    return time.perf_counter() - t0, max(lags)


def steady_state(
    env: Env, hazards: HazardFactory, rate: float, seconds: float, producers: int
) -> Steady:
    env.reset()
    warmup = 10
    total = int(round(rate * seconds))
    with fleet(env) as workers:
        workers.spawn("consumer", CONSUMER_ARGV)
        workers.wait_consuming()
        workers.spawn("relay", RELAY_ARGV)
        # Warm up (connections open, statements compiled); these events are not measured.
        for _ in range(warmup):
            with env.hazards.begin() as session:
                hazards.record(session)
            time.sleep(0.01)
        wait_for_inbox(env, warmup, workers, 60.0)

        produce_seconds, max_lag = produce_paced(env.hazards, hazards, rate, total, producers)
        wait_for_inbox(env, warmup + total, workers, 120.0)
    check_clean(env, "steady state", warmup + total)

    with env.hazards.begin() as session:
        outbox = session.execute(
            select(OutboxMessage.event_id, OutboxMessage.created_at, OutboxMessage.published_at)
            .where(OutboxMessage.id > warmup)
            .order_by(OutboxMessage.id)
        ).all()
    with env.reporting.begin() as session:
        processed = dict(
            session.execute(select(InboxMessage.event_id, InboxMessage.processed_at)).all()
        )
    if len(outbox) != total or any(published is None for _, _, published in outbox):
        raise BenchError(
            f"steady state: {len(outbox)} outbox rows or some unsent, expected {total}"
        )
    latencies = sorted(
        (processed[event_id] - created).total_seconds() * 1000.0 for event_id, created, _ in outbox
    )
    relay = sorted(
        (published - created).total_seconds() * 1000.0 for _, created, published in outbox
    )
    return Steady(rate, total, produce_seconds, max_lag * 1000.0, latencies, relay, producers)


# -- main ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="events for the drain test")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="interleaved drain rounds (project, bare, project, bare …); medians reported",
    )
    parser.add_argument(
        "--naive-events", type=int, default=3_000, help="events for the naive baseline drain"
    )
    parser.add_argument("--naive-prefetch", type=int, default=1, help="naive consumer prefetch")
    parser.add_argument("--rate", type=float, default=200.0, help="steady-state events/s")
    parser.add_argument("--seconds", type=float, default=20.0, help="steady-state duration")
    parser.add_argument(
        "--producers",
        type=int,
        default=4,
        help="steady-state producer threads of the bench process (concurrent web requests, "
        "each committing one event per transaction on the shared absolute schedule)",
    )
    # Internal: the bench re-invokes itself to run a baseline's worker.
    parser.add_argument(
        "--role",
        choices=("naive-relay", "naive-consumer", "bare-relay", "bare-consumer"),
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args(argv)
    if args.events < 1 or args.naive_events < 1 or args.rate <= 0 or args.seconds <= 0:
        parser.error("--events, --naive-events, --rate and --seconds must be positive")
    if args.naive_prefetch < 1 or args.producers < 1 or args.rounds < 1:
        parser.error("--naive-prefetch, --producers and --rounds must be positive")
    return args


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def load() -> tuple[str, bool]:
    """The load average, and whether it exceeds the CPU count (other work competes)."""
    one, five, _ = os.getloadavg()
    cpus = os.cpu_count() or 1
    text = f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {cpus} CPUs"
    return text, max(one, five) > cpus


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def report(
    project: list[Drain],
    bare: list[Drain],
    naive: Drain,
    steady: Steady,
    load_before: tuple[str, bool],
) -> None:
    def detail(drain: Drain) -> str:
        return (
            f"{drain.rate:.0f} events/s ({drain.events} in {drain.seconds:.2f} s; first "
            f"applied after {drain.first_seconds:.2f} s, then {drain.running_rate:.0f}/s; "
            f"outbox published after {drain.relay_seconds:.2f} s; CPU per 1,000 events: "
            f"consumer {1e6 * drain.consumer_cpu / drain.events:.0f} ms, relay "
            f"{1e6 * drain.relay_cpu / drain.events:.0f} ms with its start-up, PostgreSQL "
            f"{1e6 * drain.database_cpu / drain.events:.0f} ms; "
            f"{drain.events / max(1, drain.transactions):.0f} events per consumer transaction)"
        )

    pct = Steady.percentile
    p50, p99 = pct(steady.latencies_ms, 0.50), pct(steady.latencies_ms, 0.99)
    worst = steady.latencies_ms[-1]
    tuning = {name: os.environ[name] for name in TUNING_VARS if name in os.environ}
    rate = median([d.rate for d in project])
    bare_rate = median([d.rate for d in bare])
    ratios = [p.rate / b.rate for p, b in zip(project, bare, strict=True)]
    ratio = median(ratios)
    print()
    print("=" * 78)
    print("all workers are separate processes; drain clock starts once the consumer process")
    print("is consuming, right before the relay process is spawned (its start-up included)")
    if tuning:
        print(f"worker tuning from the environment: {tuning}")
    load_after = load()
    print(f"machine: before {load_before[0]}; after {load_after[0]}")
    if load_before[1] or load_after[1]:
        print(
            "  WARNING: the machine was busy with other work; the figures understate the pipeline"
        )
    print(
        f"drain, median of {len(project)} interleaved round(s): project {rate:.0f} events/s, "
        f"bare batched {bare_rate:.0f} events/s -> project / bare {ratio:.0%} "
        f"(rounds: {', '.join(f'{r:.0%}' for r in ratios)}); naive {naive.rate:.0f} events/s"
    )

    def per_thousand(drains: list[Drain], part: str) -> str:
        return f"{median([1e6 * getattr(d, part) / d.events for d in drains]):.0f}"

    print(
        "  CPU per 1,000 events (medians; read them when the machine is busy): consumer "
        f"project {per_thousand(project, 'consumer_cpu')} ms, bare "
        f"{per_thousand(bare, 'consumer_cpu')} ms; PostgreSQL project "
        f"{per_thousand(project, 'database_cpu')} ms, bare {per_thousand(bare, 'database_cpu')} ms"
    )
    for number, (p, b) in enumerate(zip(project, bare, strict=True), 1):
        print(f"  round {number} project: {detail(p)}")
        print(f"  round {number} bare:    {detail(b)}")
    print(f"  naive (confirm per message + commit per event): {detail(naive)}")
    print(
        f"steady {steady.rate:g} events/s: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms"
    )
    print(
        f"  of which outbox -> published_at (relay incl. confirm): "
        f"p50 {pct(steady.relay_ms, 0.50):.1f} ms, p99 {pct(steady.relay_ms, 0.99):.1f} ms, "
        f"max {steady.relay_ms[-1]:.1f} ms"
    )
    print(
        f"  {steady.produced} events produced in {steady.produce_seconds:.2f} s by "
        f"{steady.producers} producer thread(s) of the bench process (one transaction per "
        f"event), worst lag behind schedule {steady.max_schedule_lag_ms:.1f} ms"
    )
    print(
        f"targets: drain >= {DRAIN_TARGET:.0f} events/s: {rate:.0f} "
        f"[{verdict(rate >= DRAIN_TARGET)}]; >= {BARE_RATIO_TARGET:.0%} of bare: {ratio:.0%} "
        f"[{verdict(ratio >= BARE_RATIO_TARGET)}]; p99 <= {P99_TARGET_MS:.0f} ms at "
        f"{steady.rate:g} events/s: {p99:.1f} ms [{verdict(p99 <= P99_TARGET_MS)}]"
    )
    print("=" * 78)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.role:
        return baseline_role(args.role, args.naive_prefetch)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pika").setLevel(logging.ERROR)
    logging.getLogger("bench").setLevel(logging.INFO)

    env = setup()
    created: dict[str, bool] = {}
    hazards = HazardFactory()
    status = 0
    try:
        print(f"setting up {env.hazards_db}, {env.reporting_db}, vhost {env.vhost} …", flush=True)
        provision(env, created)
        load_before = load()
        print(f"machine: {load_before[0]}", flush=True)

        project: list[Drain] = []
        bare: list[Drain] = []
        for number in range(1, args.rounds + 1):
            print(f"round {number}: drain, project pipeline: {args.events} events …", flush=True)
            project.append(drain(env, hazards, args.events, "project", RELAY_ARGV, CONSUMER_ARGV))
            print(f"  {project[-1].rate:.0f} events/s", flush=True)
            print(f"round {number}: drain, bare batched: {args.events} events …", flush=True)
            bare.append(
                drain(
                    env,
                    hazards,
                    args.events,
                    "bare",
                    baseline_argv("bare-relay"),
                    baseline_argv("bare-consumer"),
                    inbox=False,
                )
            )
            print(f"  {bare[-1].rate:.0f} events/s", flush=True)

        print(f"drain, naive baseline: {args.naive_events} events …", flush=True)
        naive = drain(
            env,
            hazards,
            args.naive_events,
            "naive",
            baseline_argv("naive-relay", args.naive_prefetch),
            baseline_argv("naive-consumer", args.naive_prefetch),
        )
        print(f"  {naive.rate:.0f} events/s", flush=True)

        print(f"steady state: {args.rate:g} events/s for {args.seconds:g}s …", flush=True)
        steady = steady_state(env, hazards, args.rate, args.seconds, args.producers)
        report(project, bare, naive, steady, load_before)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        status = 130
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        status = 1
    except Exception as exc:
        traceback.print_exc()
        print(f"benchmark failed: {exc}", file=sys.stderr)
        status = 1
    finally:
        problems = teardown(env, created, keep_logs=status != 0)
        for problem in problems:
            print(f"cleanup: {problem}", file=sys.stderr)
        if problems and status == 0:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
