"""Duplicates, reordering and poison messages through the real broker."""

from __future__ import annotations

import json
import random
import threading

import pika
import pytest
from sqlalchemy import select

from shared.db import make_session_factory
from shared.events.consumer import EventConsumer
from shared.events.dead_letters import peek
from shared.events.envelope import Envelope
from shared.events.outbox import OutboxMessage
from shared.events.topology import connect, dead_queue_name, declare, queue_name
from tests.integration.conftest import (
    inbox_size,
    ledger_counts,
    produce_hazard_events,
    projection_counts,
)
from tests.support.fixtures import campus_safety, suite_env
from tests.support.handlers import handlers_of
from tests.support.waiting import wait_until

EVENT_HANDLERS = handlers_of("reporting")

pytestmark = pytest.mark.integration


def publish_raw(amqp_url: str, bodies: list[bytes], routing_keys: list[str]) -> None:
    connection = connect(amqp_url)
    channel = connection.channel()
    channel.confirm_delivery()
    for body, key in zip(bodies, routing_keys, strict=True):
        channel.basic_publish(
            "campus.events", key, body, pika.BasicProperties(delivery_mode=2), mandatory=True
        )
    connection.close()


def queue_depth(amqp_url: str, queue: str) -> int:
    connection = connect(amqp_url)
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()


class RunningConsumer:
    def __init__(self, databases, amqp_url, handlers, **kw) -> None:
        factory = make_session_factory(databases.engine("reporting"))
        self.consumer = EventConsumer("reporting", factory, handlers, amqp_url, **kw)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.consumer.run, args=(self.stop,))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()


def outbox_events(databases) -> list[tuple[str, bytes]]:
    factory = make_session_factory(databases.engine("hazards"))
    with factory() as session:
        rows = session.execute(select(OutboxMessage.event_type, OutboxMessage.body)).all()
    return [(t, b.encode()) for t, b in rows]


def test_every_event_twice_and_shuffled_leaves_the_projection_unchanged(databases, amqp_url):
    produce_hazard_events(databases.engine("hazards"), created=300, registered=120)
    events = outbox_events(databases)
    doubled = events * 2
    random.Random(2021).shuffle(doubled)
    # Closed-before-created for some hazards is guaranteed by the shuffle of 840 messages.
    publish_raw(amqp_url, [b for _, b in doubled], [t for t, _ in doubled])
    with RunningConsumer(databases, amqp_url, EVENT_HANDLERS, batch_size=50):
        wait_until(lambda: inbox_size(databases) == len(events), timeout=60, message="inbox")
        wait_until(
            lambda: queue_depth(amqp_url, queue_name("reporting")) == 0,
            timeout=30,
            message="queue drained",
        )
    assert inbox_size(databases) == 420
    assert projection_counts(databases) == ledger_counts(databases)
    assert queue_depth(amqp_url, dead_queue_name("reporting")) == 0


def _low_limit_vhost_topology(amqp_url: str) -> None:
    """Re-declare the reporting queue with a delivery limit of 2 (fresh vhost per test)."""
    connection = connect(amqp_url)
    channel = connection.channel()
    channel.queue_delete(queue_name("reporting"))
    declare(channel, "campus.events", {"reporting": sorted(EVENT_HANDLERS)}, delivery_limit=2)
    connection.close()


def test_poison_goes_to_the_dead_letter_queue_and_is_requeued_by_the_cli(databases, amqp_url):
    _low_limit_vhost_topology(amqp_url)
    produce_hazard_events(databases.engine("hazards"), created=21, registered=0)
    events = outbox_events(databases)
    poison_id = json.loads(events[0][1])["id"]
    attempts: list[str] = []
    fixed = threading.Event()

    def buggy(session, event: Envelope) -> None:
        if event.id == poison_id and not fixed.is_set():
            attempts.append(event.id)
            raise RuntimeError("bug in the handler")
        EVENT_HANDLERS[event.type](session, event)

    handlers = {t: buggy for t in EVENT_HANDLERS}
    bodies = [b for _, b in events] + [b"{not an envelope"]
    publish_raw(amqp_url, bodies, [t for t, _ in events] + ["hazard.created"])
    with RunningConsumer(databases, amqp_url, handlers, batch_size=5):
        # The 20 events behind the poison are processed meanwhile.
        wait_until(lambda: inbox_size(databases) == 20, timeout=60, message="good events")
        wait_until(
            lambda: queue_depth(amqp_url, dead_queue_name("reporting")) == 2,
            timeout=60,
            message="poison and garbage dead-lettered",
        )
        # Bounded by the delivery limit (2 redeliveries = 3 deliveries), not forever; each
        # delivery runs the handler at most twice (in its batch, then alone).
        assert 3 <= len(attempts) <= 6
        letters = {letter["id"]: letter for letter in peek(amqp_url, "reporting")}
        assert letters[poison_id]["reason"] == "delivery_limit"
        assert letters[poison_id]["type"] == "hazard.created"
        assert any(letter["reason"] == "rejected" for letter in letters.values())

        env = suite_env(databases, amqp_url)
        listing = campus_safety(env, "dead-letters", "list", "reporting")
        assert poison_id in listing.stdout and "2 dead letters" in listing.stderr

        fixed.set()  # "deploy the fix", then requeue only the poison through the CLI
        requeued = campus_safety(env, "dead-letters", "requeue", "reporting", "--id", poison_id)
        assert "1 dead letters requeued" in requeued.stdout
        wait_until(lambda: inbox_size(databases) == 21, timeout=60, message="poison processed")
    assert projection_counts(databases) == ledger_counts(databases)
    assert [letter["reason"] for letter in peek(amqp_url, "reporting")] == ["rejected"]
