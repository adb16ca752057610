"""RabbitMQ topology, declared idempotently by every worker at start-up.

One durable topic exchange; per consuming service a durable quorum queue bound to
the event types it handles, whose poison messages are dead-lettered (after
``delivery_limit`` failed deliveries, or at once when a message is malformed) to the
service's ``<service>.dead`` queue. RabbitMQ 3.10 quorum queues have no default
delivery limit, so it is always set explicitly on ``<service>.events``.

The dead-letter queues are quorum queues too (replicated like the event queues, so a
cluster node failure loses no parked message), with no delivery limit (RabbitMQ 4 would
impose 20: see deploy/rabbitmq/README.md) and no dead-letter exchange of their own: nothing
leaves them but by ``campus-safety dead-letters requeue``.

RabbitMQ refuses to redeclare an existing queue with other arguments
(``PRECONDITION_FAILED``). A ``<service>.dead`` left as a classic queue by an older
release is tolerated (it still parks messages; an error is logged on every declare until
it is migrated, see docs/operations.md); any other disagreement raises
:class:`TopologyMismatch` naming the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import pika
from pika.adapters.blocking_connection import BlockingChannel

log = logging.getLogger("campus.topology")

PRECONDITION_FAILED = 406
MIGRATION_DOC = 'docs/operations.md, section 3, "Dead-letter queues become quorum queues"'


class TopologyMismatch(RuntimeError):
    """A queue exists on the broker with other arguments than the code declares."""


def queue_name(service: str) -> str:
    return f"{service}.events"


def dead_queue_name(service: str) -> str:
    return f"{service}.dead"


def dead_letter_exchange(exchange: str) -> str:
    return f"{exchange}.dlx"


def connection_parameters(amqp_url: str, heartbeat: int = 15) -> pika.URLParameters:
    params = pika.URLParameters(amqp_url)
    params.heartbeat = heartbeat
    params.blocked_connection_timeout = 60
    params.socket_timeout = 5
    params.connection_attempts = 1
    return params


def connect(amqp_url: str, heartbeat: int = 15) -> pika.BlockingConnection:
    return pika.BlockingConnection(connection_parameters(amqp_url, heartbeat))


def dead_queue_arguments() -> dict[str, str]:
    return {"x-queue-type": "quorum"}


def _refused(exc: pika.exceptions.ChannelClosedByBroker) -> bool:
    """The broker closed the channel because a queue exists with other arguments."""
    return exc.reply_code == PRECONDITION_FAILED


def _legacy_classic(exc: pika.exceptions.ChannelClosedByBroker) -> bool:
    """Refused because the existing queue is classic (RabbitMQ 3.10: "inequivalent arg
    'x-queue-type' … received the value 'quorum' … but current is none")."""
    text = exc.reply_text
    return "'x-queue-type'" in text and ("current is none" in text or "'classic'" in text)


def _mismatch(queue: str, exc: pika.exceptions.ChannelClosedByBroker) -> TopologyMismatch:
    error = TopologyMismatch(
        f"RabbitMQ refused to declare queue {queue!r}: it exists with other arguments than "
        f"this release declares ({exc.reply_text}). The queue must match the code "
        f"(deploy/rabbitmq/README.md): drain it, delete it (rabbitmqctl delete_queue {queue}) "
        "and restart the workers, which declare it again"
    )
    log.error("%s", error)
    return error


def declare(
    channel: BlockingChannel,
    exchange: str,
    subscriptions: Mapping[str, Sequence[str]],
    delivery_limit: int,
) -> None:
    dlx = dead_letter_exchange(exchange)
    channel.exchange_declare(exchange, exchange_type="topic", durable=True)
    channel.exchange_declare(dlx, exchange_type="direct", durable=True)
    for service, event_types in sorted(subscriptions.items()):
        if not event_types:
            continue
        queue = queue_name(service)
        try:
            channel.queue_declare(
                queue,
                durable=True,
                arguments={
                    "x-queue-type": "quorum",
                    "x-delivery-limit": delivery_limit,
                    "x-dead-letter-exchange": dlx,
                    "x-dead-letter-routing-key": service,
                },
            )
        except pika.exceptions.ChannelClosedByBroker as exc:
            if _refused(exc):
                raise _mismatch(queue, exc) from exc
            raise
        for event_type in sorted(event_types):
            channel.queue_bind(queue, exchange, routing_key=event_type)
        dead = dead_queue_name(service)
        try:
            channel.queue_declare(dead, durable=True, arguments=dead_queue_arguments())
        except pika.exceptions.ChannelClosedByBroker as exc:
            if not _refused(exc):
                raise
            if not _legacy_classic(exc):
                raise _mismatch(dead, exc) from exc
            # A classic queue left by an older release still parks dead letters, but it
            # lives on one node only. Carry on (on a new channel: the broker closed this one).
            log.error(
                "queue %r is a classic queue left by an older release: dead letters still "
                "reach it, but it is not replicated and a node failure makes it unavailable. "
                "Migrate it to a quorum queue: %s (%s)",
                dead,
                MIGRATION_DOC,
                exc.reply_text,
            )
            channel = channel.connection.channel()
        channel.queue_bind(dead, dlx, routing_key=service)


def declare_all(
    amqp_url: str,
    exchange: str,
    subscriptions: Mapping[str, Sequence[str]],
    delivery_limit: int,
) -> None:
    connection = connect(amqp_url)
    try:
        declare(connection.channel(), exchange, subscriptions, delivery_limit)
    finally:
        connection.close()
