"""RabbitMQ topology, declared idempotently by every worker at start-up.

One durable topic exchange; per consuming service a durable quorum queue bound to
the event types it handles, whose poison messages are dead-lettered (after
``delivery_limit`` failed deliveries, or at once when a message is malformed) to the
service's ``<service>.dead`` queue. RabbitMQ 3.10 quorum queues have no default
delivery limit, so it is always set explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pika
from pika.adapters.blocking_connection import BlockingChannel


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
        for event_type in sorted(event_types):
            channel.queue_bind(queue, exchange, routing_key=event_type)
        dead = dead_queue_name(service)
        channel.queue_declare(dead, durable=True)
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
