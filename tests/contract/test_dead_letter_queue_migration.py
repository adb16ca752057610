"""Upgrading a broker whose ``<service>.dead`` queues are classic (older releases).

The workers now declare the dead-letter queues as quorum queues. RabbitMQ refuses to
redeclare an existing queue with another type (PRECONDITION_FAILED), so on a broker set up
by an older release the declare meets a classic ``<service>.dead``. The workers keep
running with it (it still parks dead letters) and log an error that says how to migrate;
after the documented migration (drain, ``rabbitmqctl delete_queue``, restart the workers)
the queue is a quorum queue. Any other disagreement stops the declare with an error that
names the queue.
"""

from __future__ import annotations

import json
import logging
import subprocess

import pika
import pytest

from services.registry import subscriptions
from shared.config import Settings
from shared.events import topology
from tests.support import infra

pytestmark = pytest.mark.integration


@pytest.fixture
def vhost():
    """An empty vhost (no topology): (name, amqp url)."""
    name, url = infra.create_vhost()
    try:
        yield name, url
    finally:
        infra.delete_vhost(name)


def queue_types(vhost_name: str) -> dict[str, str]:
    out = infra.rabbitmqctl("list_queues", "-p", vhost_name, "--formatter", "json", "name", "type")
    return {q["name"]: q["type"] for q in json.loads(out)}


def depth(url: str, queue: str) -> int:
    connection = topology.connect(url, heartbeat=0)
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()


def dead_letter(url: str, service: str, body: bytes) -> None:
    """Publish as RabbitMQ does when it dead-letters: to the DLX, routing key = service."""
    connection = topology.connect(url, heartbeat=0)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.basic_publish(
            topology.dead_letter_exchange(Settings.exchange),
            service,
            body,
            pika.BasicProperties(delivery_mode=2),
            mandatory=True,
        )
    finally:
        connection.close()


def declare_everything(url: str) -> None:
    topology.declare_all(url, Settings.exchange, subscriptions(), Settings.delivery_limit)


def test_fresh_broker_gets_quorum_dead_letter_queues(vhost):
    name, url = vhost
    declare_everything(url)
    consuming = [s for s, types in subscriptions().items() if types]
    types = queue_types(name)
    for service in consuming:
        assert types[topology.queue_name(service)] == "quorum"
        assert types[topology.dead_queue_name(service)] == "quorum"


def test_a_classic_dead_letter_queue_left_by_an_older_release(vhost, caplog):
    name, url = vhost
    # What an older release declared: a classic reporting.dead holding a parked message.
    connection = topology.connect(url, heartbeat=0)
    try:
        connection.channel().queue_declare("reporting.dead", durable=True)
    finally:
        connection.close()
    declare_everything(url)  # creates the exchanges and binds reporting.dead to the DLX
    dead_letter(url, "reporting", b'{"id": "parked-1"}')

    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="campus.topology"):
        declare_everything(url)  # a worker of the new release starting: no exception
    messages = [r.getMessage() for r in caplog.records if r.name == "campus.topology"]
    assert any(
        "'reporting.dead' is a classic queue" in m and "docs/operations.md" in m for m in messages
    ), messages
    types = queue_types(name)
    assert types["reporting.dead"] == "classic"
    # Everything after it was still declared, and dead letters still reach it.
    assert types["reporting.events"] == "quorum"
    assert all(types[topology.dead_queue_name(s)] == "quorum" for s in ("education", "hazards"))
    dead_letter(url, "reporting", b'{"id": "parked-2"}')
    assert depth(url, "reporting.dead") == 2

    # The documented migration refuses to delete a queue that still holds dead letters ...
    refused = subprocess.run(
        ["rabbitmqctl", "delete_queue", "-p", name, "reporting.dead", "--if-empty"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0 and "not empty" in refused.stdout + refused.stderr
    assert depth(url, "reporting.dead") == 2
    # ... so deal with them first (here: purge), then delete it; the workers redeclare it.
    infra.rabbitmqctl("purge_queue", "-p", name, "reporting.dead")
    infra.rabbitmqctl("delete_queue", "-p", name, "reporting.dead", "--if-empty")
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="campus.topology"):
        declare_everything(url)
    assert not [r for r in caplog.records if r.name == "campus.topology"]
    assert queue_types(name)["reporting.dead"] == "quorum"
    dead_letter(url, "reporting", b'{"id": "parked-3"}')
    assert depth(url, "reporting.dead") == 1


def test_any_other_disagreement_is_refused_with_the_queue_named(vhost):
    _, url = vhost
    connection = topology.connect(url, heartbeat=0)
    try:  # another delivery limit than CAMPUS_DELIVERY_LIMIT
        connection.channel().queue_declare(
            "reporting.events",
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": Settings.delivery_limit + 1,
                "x-dead-letter-exchange": "campus.events.dlx",
                "x-dead-letter-routing-key": "reporting",
            },
        )
    finally:
        connection.close()
    with pytest.raises(topology.TopologyMismatch, match=r"'reporting\.events'.*delete_queue"):
        declare_everything(url)
