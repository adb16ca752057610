"""A service's worker process: its outbox relay and its event consumer.

Each runs in its own thread with its own pika connection (pika connections are not
thread-safe). SIGTERM or SIGINT stops both cleanly; unacked messages return to the
queue and unsent outbox rows stay unsent, so a stop at any moment loses nothing.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings
from shared.db import make_engine, make_session_factory
from shared.events.consumer import EventConsumer, Handler
from shared.events.relay import OutboxRelay
from shared.events.topology import declare_all

log = logging.getLogger("campus.worker")


def run_worker(
    settings: Settings,
    handlers: Mapping[str, Handler],
    subscriptions: Mapping[str, Sequence[str]],
    *,
    relay: bool = True,
    consumer: bool = True,
    periodic: Sequence[Callable] = (),
) -> None:
    """Run the relay, the consumer and the periodic tasks (each optional) until a signal."""
    # Pinged only after sitting idle (as the web apps): a ping at every checkout was one
    # more round trip for every batch the consumer applies and every batch the relay sends.
    engine = make_engine(settings.database_url, ping_after_idle=settings.db_ping_after_idle_seconds)
    factory = make_session_factory(engine)
    stop = threading.Event()
    _stop_on_signals(settings.service, stop)
    threads = _threads(
        settings,
        factory,
        handlers if consumer else {},
        subscriptions,
        relay=relay,
        periodic=periodic,
        stop=stop,
    )
    log.info(
        "worker %s: starting %s", settings.service, ", ".join(t.name for t in threads) or "nothing"
    )
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        for thread in threads:
            thread.join(timeout=0.5)
    engine.dispose()
    log.info("worker %s: stopped", settings.service)


def _stop_on_signals(service: str, stop: threading.Event) -> None:
    def _stop(signum, _frame) -> None:
        log.info("worker %s: signal %s, stopping", service, signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)


def _threads(
    settings: Settings,
    factory: sessionmaker[Session],
    handlers: Mapping[str, Handler],
    subscriptions: Mapping[str, Sequence[str]],
    *,
    relay: bool,
    periodic: Sequence[Callable],
    stop: threading.Event,
) -> list[threading.Thread]:
    """The worker's threads, not started: the relay, the consumer when there is anything
    to consume, the periodic tasks when there are any."""

    def declare() -> None:
        # Every worker declares the whole topology, so no event is published before
        # the queues of all its subscribers exist.
        declare_all(settings.amqp_url, settings.exchange, subscriptions, settings.delivery_limit)

    threads: list[threading.Thread] = []
    if relay:
        outbox_relay = OutboxRelay(
            factory,
            settings.amqp_url,
            settings.exchange,
            batch_size=settings.relay_batch,
            poll_seconds=settings.relay_poll_seconds,
            before_connect=declare,
            campus_id=settings.campus_id,
        )
        threads.append(threading.Thread(target=outbox_relay.run, args=(stop,), name="relay"))
    if handlers:
        event_consumer = EventConsumer(
            settings.service,
            factory,
            handlers,
            settings.amqp_url,
            prefetch=settings.prefetch,
            batch_size=settings.consumer_batch,
            before_connect=declare,
        )
        threads.append(threading.Thread(target=event_consumer.run, args=(stop,), name="consumer"))
    if periodic:
        every = (settings.sweep_seconds, periodic, factory, settings, stop)
        threads.append(threading.Thread(target=_every, args=every, name="periodic"))
    return threads


def _every(seconds: float, tasks: Sequence[Callable], factory, settings: Settings, stop) -> None:
    """Run each periodic task now and then every ``seconds`` until stopped; a failure is
    logged and retried next round (the tasks are idempotent)."""
    while not stop.is_set():
        for task in tasks:
            try:
                result = task(factory, settings)
                log.info("periodic %s: %s", task.__name__, result)
            except Exception:
                log.exception("periodic %s failed; retrying next round", task.__name__)
        stop.wait(seconds)
