"""Benchmark of the event pipeline: hazards outbox → relay → RabbitMQ → reporting consumer.

Run from the repository root::

    .venv/bin/python bench/pipeline.py [--events 10000] [--rate 200] [--seconds 20]

Everything runs against the real PostgreSQL and RabbitMQ of this machine, in resources of
the run's own (two fresh databases and a fresh vhost), removed at the end. Three phases:

1. drain, project pipeline: N hazard.created events are committed to the hazards outbox,
   then ``OutboxRelay`` and ``EventConsumer("reporting")`` are started; the figure is
   N / (time until the reporting inbox holds N rows);
2. drain, naive baseline: the same, with a relay that publishes one row at a time and
   waits for each confirm (one UPDATE + commit per row) and a consumer with prefetch 1
   and one transaction + ack per event;
3. steady state: the project's relay and consumer run while a producer commits one event
   at a time at ``--rate`` events/s for ``--seconds``; per-event latency is
   ``inbox.processed_at - outbox.created_at``. By default the producer is a thread of
   this process, so it shares the GIL with the relay and the consumer threads;
   ``--producer-process`` runs it in a process of its own, as the hazards web app is.

It is a benchmark, not a test: the exit code is 0 whether or not the targets are met,
and non-zero only when something failed.
"""

from __future__ import annotations

import argparse
import logging
import math
import multiprocessing as mp
import os
import queue
import random
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import pika
import psycopg
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from services.hazards import commands, domain
from services.hazards.models import Hazard
from services.registry import subscriptions
from services.reporting.handlers import EVENT_HANDLERS
from shared.db import make_engine, make_session_factory, utcnow
from shared.events import Envelope, record_event
from shared.events.catalog import validate_data
from shared.events.consumer import EventConsumer
from shared.events.inbox import InboxMessage, already_processed
from shared.events.outbox import OutboxMessage
from shared.events.relay import OutboxRelay
from shared.events.topology import (
    connect,
    dead_queue_name,
    declare_all,
    queue_name,
)
from shared.migrations import upgrade

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432"
AMQP_HOST = "127.0.0.1:5672"
EXCHANGE = "campus.events"
DELIVERY_LIMIT = 5
SERVICE = "reporting"

UNITS = ("JD", "XX", "CW", "TY", "WY")  # 机电, 信息, 财务, 体育, 外语
CATEGORIES = tuple(domain.CATEGORIES)
INSERT_BATCH = 500
POLL_SECONDS = 0.01
DRAIN_TARGET = 1500.0  # events/s
P99_TARGET_MS = 50.0

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


def create_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@dataclass
class Env:
    hazards_db: str
    reporting_db: str
    vhost: str
    amqp_url: str
    hazards_engine: Engine | None = None
    reporting_engine: Engine | None = None

    @property
    def hazards(self) -> sessionmaker[Session]:
        assert self.hazards_engine is not None
        return make_session_factory(self.hazards_engine)

    @property
    def reporting(self) -> sessionmaker[Session]:
        assert self.reporting_engine is not None
        return make_session_factory(self.reporting_engine)

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

    def queue_depths(self) -> dict[str, int]:
        connection = connect(self.amqp_url)
        try:
            channel = connection.channel()
            return {
                name: channel.queue_declare(name, passive=True).method.message_count
                for name in (queue_name(SERVICE), dead_queue_name(SERVICE))
            }
        finally:
            connection.close()

    def reset(self) -> None:
        """Empty outbox, inbox, projection and the reporting queues between phases."""
        assert self.hazards_engine is not None and self.reporting_engine is not None
        with self.hazards_engine.begin() as conn:
            conn.execute(text("TRUNCATE outbox RESTART IDENTITY"))
        with self.reporting_engine.begin() as conn:
            conn.execute(text("TRUNCATE inbox, hazard_projection"))
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
    """Create databases and vhost, noting each in ``created`` so teardown removes it."""
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


def teardown(env: Env, created: dict[str, bool]) -> list[str]:
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
    return problems


# -- event production ------------------------------------------------------------------


class HazardFactory:
    """Realistic hazard.created data, built from a transient ``Hazard`` like the service."""

    def __init__(self, seed: int = 7, first_serial: int = 1) -> None:
        self._rng = random.Random(seed)
        self._serial = first_serial - 1
        self._year = utcnow().year

    def skip(self, count: int) -> int:
        """Reserve ``count`` serials (for another producer); return the first of them."""
        first = self._serial + 1
        self._serial += count
        return first

    def record(self, session: Session) -> None:
        rng = self._rng
        self._serial += 1
        found_at = utcnow() - timedelta(minutes=rng.randint(0, 60 * 24 * 14))
        deadline_days = rng.choice((None, 3, 7, 15, 30))
        hazard = Hazard(
            id=str(uuid.uuid4()),
            number=domain.format_number(self._year, self._serial),
            unit_code=UNITS[self._serial % len(UNITS)],
            category=rng.choice(CATEGORIES),
            severity=str(domain.Severity.MAJOR if rng.random() < 0.1 else domain.Severity.GENERAL),
            status=str(domain.Status.DISCOVERED),
            description=f"巡查发现隐患 #{self._serial}",
            location=f"{rng.randint(1, 12)}号楼 {rng.randint(1, 6)}层",
            found_by="so-bench",
            found_at=found_at,
            deadline=(found_at + timedelta(days=deadline_days)).date() if deadline_days else None,
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


# -- workers ---------------------------------------------------------------------------


class Worker:
    """A ``run(stop)`` callable in a daemon thread; remembers an escaped exception."""

    def __init__(self, name: str, run: Callable[[threading.Event], None]) -> None:
        self.name = name
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self._run = run
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)

    def _main(self) -> None:
        try:
            self._run(self.stop)
        except BaseException as exc:
            self.error = exc
            log.error("%s crashed:\n%s", self.name, traceback.format_exc())

    def start(self) -> Worker:
        self._thread.start()
        return self

    def halt(self, timeout: float = 15.0) -> None:
        self.stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("%s did not stop within %.0fs", self.name, timeout)

    def check(self) -> None:
        if self.error is not None:
            raise BenchError(f"{self.name} failed: {self.error!r}")


def project_workers(env: Env) -> tuple[OutboxRelay, EventConsumer, list[Worker]]:
    relay = OutboxRelay(env.hazards, env.amqp_url, EXCHANGE)
    consumer = EventConsumer(SERVICE, env.reporting, EVENT_HANDLERS, env.amqp_url)
    return relay, consumer, [Worker("relay", relay.run), Worker("consumer", consumer.run)]


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


# -- measurements ----------------------------------------------------------------------


@dataclass
class Drain:
    events: int
    seconds: float
    relay_seconds: float | None

    @property
    def rate(self) -> float:
        return self.events / self.seconds


def wait_for_inbox(
    env: Env, expected: int, workers: list[Worker], timeout: float, started: float
) -> tuple[float, float | None]:
    """Poll until the inbox holds ``expected`` rows; return (elapsed, relay-done elapsed)."""
    relay_done: float | None = None
    deadline = started + timeout
    while True:
        count = env.inbox_count()
        now = time.perf_counter()
        if count >= expected:
            return now - started, relay_done
        if relay_done is None and env.unsent_count() == 0:
            relay_done = time.perf_counter() - started
        for worker in workers:
            worker.check()
        if now > deadline:
            raise BenchError(
                f"timed out after {timeout:.0f}s: inbox {count}/{expected}, "
                f"unsent {env.unsent_count()}, queues {env.queue_depths()}"
            )
        time.sleep(POLL_SECONDS)


def check_clean(env: Env, label: str, expected: int) -> None:
    projected = env.scalar(env.reporting_engine, "SELECT count(*) FROM hazard_projection")
    depths = env.queue_depths()
    if projected != expected:
        raise BenchError(f"{label}: projection has {projected} rows, expected {expected}")
    if depths[dead_queue_name(SERVICE)]:
        raise BenchError(f"{label}: {depths[dead_queue_name(SERVICE)]} dead-lettered messages")


def drain_timeout(events: int) -> float:
    return max(120.0, events / 20.0)


def drain_project(env: Env, hazards: HazardFactory, events: int) -> Drain:
    env.reset()
    hazards.fill_outbox(env.hazards, events)
    relay, consumer, workers = project_workers(env)
    started = time.perf_counter()
    try:
        for worker in workers:
            worker.start()
        elapsed, relay_done = wait_for_inbox(env, events, workers, drain_timeout(events), started)
    finally:
        for worker in workers:
            worker.halt()
    check_clean(env, "project drain", events)
    return Drain(events, elapsed, relay_done)


def drain_naive(env: Env, hazards: HazardFactory, events: int, prefetch: int) -> Drain:
    env.reset()
    hazards.fill_outbox(env.hazards, events)
    relay = NaiveRelay(env.hazards, env.amqp_url)
    consumer = NaiveConsumer(env.reporting, env.amqp_url, prefetch)
    workers = [Worker("naive relay", relay.run), Worker("naive consumer", consumer.run)]
    started = time.perf_counter()
    try:
        for worker in workers:
            worker.start()
        elapsed, relay_done = wait_for_inbox(env, events, workers, drain_timeout(events), started)
    finally:
        for worker in workers:
            worker.halt()
    check_clean(env, "naive drain", events)
    return Drain(events, elapsed, relay_done)


@dataclass
class Steady:
    rate: float
    produced: int
    produce_seconds: float
    max_schedule_lag_ms: float
    latencies_ms: list[float]  # outbox.created_at -> inbox.processed_at, sorted
    relay_ms: list[float]  # outbox.created_at -> outbox.published_at, sorted
    producer: str

    @staticmethod
    def percentile(values: list[float], q: float) -> float:
        rank = max(1, math.ceil(q * len(values)))
        return values[rank - 1]


def produce_paced(factory: sessionmaker[Session], hazards: HazardFactory, rate: float, total: int):
    """Commit ``total`` events, event i at t0 + i/rate (absolute schedule, no drift).

    Returns (seconds taken, worst lag behind the schedule in seconds).
    """
    max_lag = 0.0
    t0 = time.perf_counter()
    for i in range(total):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        else:
            max_lag = max(max_lag, -delay)
        with factory.begin() as session:
            hazards.record(session)
    return time.perf_counter() - t0, max_lag


def _producer_process(url: str, rate: float, total: int, first_serial: int, results) -> None:
    """Body of ``--producer-process``: the paced producer in a process of its own."""
    engine = make_engine(url)
    try:
        hazards = HazardFactory(seed=11, first_serial=first_serial)
        results.put(produce_paced(make_session_factory(engine), hazards, rate, total))
    finally:
        engine.dispose()


def run_producer_process(env: Env, hazards: HazardFactory, rate: float, total: int):
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    process = ctx.Process(
        target=_producer_process,
        args=(f"{PG_BASE}/{env.hazards_db}", rate, total, hazards.skip(total), results),
        name="bench-producer",
    )
    process.start()
    try:
        deadline = time.monotonic() + total / rate * 3 + 60
        while True:
            try:
                return results.get(timeout=0.5)
            except queue.Empty:
                if not process.is_alive():
                    raise BenchError(f"producer process exited with {process.exitcode}") from None
                if time.monotonic() > deadline:
                    raise BenchError("producer process timed out") from None
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join()


def steady_state(
    env: Env, hazards: HazardFactory, rate: float, seconds: float, in_process: bool
) -> Steady:
    env.reset()
    _, _, workers = project_workers(env)
    warmup = 10
    total = int(round(rate * seconds))
    try:
        for worker in workers:
            worker.start()
        # Warm up (connections open, statements compiled); these events are not measured.
        for _ in range(warmup):
            with env.hazards.begin() as session:
                hazards.record(session)
            time.sleep(0.01)
        wait_for_inbox(env, warmup, workers, 60.0, time.perf_counter())

        if in_process:
            produce_seconds, max_lag = produce_paced(env.hazards, hazards, rate, total)
        else:
            produce_seconds, max_lag = run_producer_process(env, hazards, rate, total)
        wait_for_inbox(env, warmup + total, workers, 120.0, time.perf_counter())
    finally:
        for worker in workers:
            worker.halt()
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
    producer = "producer thread in the bench process" if in_process else "producer process"
    return Steady(rate, total, produce_seconds, max_lag * 1000.0, latencies, relay, producer)


# -- main ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="events for the drain test")
    parser.add_argument(
        "--naive-events", type=int, default=3_000, help="events for the naive baseline drain"
    )
    parser.add_argument("--naive-prefetch", type=int, default=1, help="naive consumer prefetch")
    parser.add_argument("--rate", type=float, default=200.0, help="steady-state events/s")
    parser.add_argument("--seconds", type=float, default=20.0, help="steady-state duration")
    parser.add_argument(
        "--producer-process",
        action="store_true",
        help="run the steady-state producer in a process of its own (as the hazards web app "
        "is), instead of a thread sharing the GIL with the relay and the consumer",
    )
    args = parser.parse_args(argv)
    if args.events < 1 or args.naive_events < 1 or args.rate <= 0 or args.seconds <= 0:
        parser.error("--events, --naive-events, --rate and --seconds must be positive")
    return args


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("campus").setLevel(logging.WARNING)
    logging.getLogger("pika").setLevel(logging.ERROR)
    logging.getLogger("bench").setLevel(logging.INFO)
    args = parse_args(argv)

    env = setup()
    created: dict[str, bool] = {}
    hazards = HazardFactory()
    status = 0
    try:
        print(f"setting up {env.hazards_db}, {env.reporting_db}, vhost {env.vhost} …", flush=True)
        provision(env, created)

        print(f"drain, project pipeline: {args.events} events …", flush=True)
        project = drain_project(env, hazards, args.events)
        print(f"  {project.rate:.0f} events/s", flush=True)

        print(f"drain, naive baseline: {args.naive_events} events …", flush=True)
        naive = drain_naive(env, hazards, args.naive_events, args.naive_prefetch)
        print(f"  {naive.rate:.0f} events/s", flush=True)

        print(f"steady state: {args.rate:g} events/s for {args.seconds:g}s …", flush=True)
        steady = steady_state(env, hazards, args.rate, args.seconds, not args.producer_process)

        def relay_note(drain: Drain) -> str:
            if drain.relay_seconds is None:
                return ""
            return f"; outbox fully published after {drain.relay_seconds:.2f} s"

        pct = Steady.percentile
        p50, p99 = pct(steady.latencies_ms, 0.50), pct(steady.latencies_ms, 0.99)
        worst = steady.latencies_ms[-1]
        print()
        print("=" * 78)
        print(
            "drain (project, batched confirms + batched consumer tx): "
            f"{project.rate:.0f} events/s ({project.events} events in {project.seconds:.2f} s"
            f"{relay_note(project)})"
        )
        print(
            "drain (naive baseline, confirm per message + commit per event): "
            f"{naive.rate:.0f} events/s ({naive.events} events in {naive.seconds:.2f} s"
            f"{relay_note(naive)})"
        )
        print(f"ratio project/naive: {project.rate / naive.rate:.1f}x")
        print(
            f"steady {steady.rate:g} events/s: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
            f"max {worst:.1f} ms"
        )
        print(
            f"  of which outbox -> published_at (relay incl. confirm): "
            f"p50 {pct(steady.relay_ms, 0.50):.1f} ms, p99 {pct(steady.relay_ms, 0.99):.1f} ms, "
            f"max {steady.relay_ms[-1]:.1f} ms"
        )
        print(
            f"  {steady.produced} events produced in {steady.produce_seconds:.2f} s by a "
            f"{steady.producer}, worst lag behind schedule {steady.max_schedule_lag_ms:.1f} ms"
        )
        print(
            f"targets: drain >= {DRAIN_TARGET:.0f} events/s "
            f"[{verdict(project.rate >= DRAIN_TARGET)}], "
            f"p99 < {P99_TARGET_MS:.0f} ms [{verdict(p99 < P99_TARGET_MS)}]"
        )
        print("=" * 78)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        status = 130
    except Exception as exc:
        traceback.print_exc()
        print(f"benchmark failed: {exc}", file=sys.stderr)
        status = 1
    finally:
        problems = teardown(env, created)
        for problem in problems:
            print(f"cleanup: {problem}", file=sys.stderr)
        if problems and status == 0:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
