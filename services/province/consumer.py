"""The province's consumer: ``province.events`` (bound to the federated ``province.in``),
one message per transaction with its inbox row; a refused message is rejected without
requeue, so RabbitMQ dead-letters it to ``province.dead`` (visible with
``campus-safety dead-letters list province``, replayable with ``services.province.replay``);
a failure of the province's own (database down) is retried, up to the queue's delivery
limit."""

from __future__ import annotations

import logging
import threading

import pika
from sqlalchemy.orm import Session, sessionmaker

from services.province.domain import Refused
from services.province.ingest import ingest
from shared.db import unit_of_work
from shared.events.province import IN_EXCHANGE
from shared.events.reconnect import Backoff, run_with_reconnect
from shared.events.topology import connect, dead_queue_arguments

log = logging.getLogger("campus.province")

QUEUE = "province.events"
DEAD_QUEUE = "province.dead"
DLX = f"{IN_EXCHANGE}.dlx"


def declare(channel, delivery_limit: int = 5) -> None:
    """``province.in`` (the federation policy makes it pull from every college's
    ``province.out``), its queue, and the dead-letter queue the queue rejects into."""
    channel.exchange_declare(IN_EXCHANGE, exchange_type="topic", durable=True)
    channel.exchange_declare(DLX, exchange_type="direct", durable=True)
    channel.queue_declare(
        QUEUE,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": DLX,
            "x-dead-letter-routing-key": "province",
        },
    )
    channel.queue_bind(QUEUE, IN_EXCHANGE, routing_key="province.#")
    channel.queue_declare(DEAD_QUEUE, durable=True, arguments=dead_queue_arguments())
    channel.queue_bind(DEAD_QUEUE, DLX, routing_key="province")


class ProvinceConsumer:
    def __init__(
        self, factory: sessionmaker[Session], amqp_url: str, *, delivery_limit: int = 5
    ) -> None:
        self._factory, self._url, self._limit = factory, amqp_url, delivery_limit
        self._backoff = Backoff()
        self.applied = self.refused = 0

    def run(self, stop: threading.Event) -> None:
        run_with_reconnect(log, "province consumer", self._run_connection, stop, self._backoff)

    def _run_connection(self, stop: threading.Event) -> None:
        connection = connect(self._url)
        try:
            channel = connection.channel()
            declare(channel, self._limit)
            channel.basic_qos(prefetch_count=100)
            channel.basic_consume(QUEUE, self._on_message)
            self._backoff.connected()
            log.info("province consumer: consuming %s", QUEUE)
            while not stop.is_set():
                connection.process_data_events(time_limit=0.2)
        finally:
            if connection.is_open:
                connection.close()

    def _on_message(self, channel, method, properties, body: bytes) -> None:
        try:
            with unit_of_work(self._factory) as session:
                applied = ingest(session, properties.user_id, body)
        except Refused as exc:
            self.refused += 1
            log.warning("province: dead-lettering %s: %s", properties.message_id, exc)
            channel.basic_reject(method.delivery_tag, requeue=False)
            return
        except Exception as exc:
            log.warning("province: %s not applied (%s); retried", properties.message_id, exc)
            channel.connection.sleep(1.0)
            channel.basic_nack(method.delivery_tag, requeue=True)
            return
        self.applied += applied
        channel.basic_ack(method.delivery_tag)


def replay(amqp_url: str, message_ids: set[str] | None = None) -> int:
    """Send dead letters back to ``province.in`` with their ``user_id`` (the connection's
    user needs RabbitMQ's ``impersonator`` tag to keep a college's identity); ones still
    refused come back to ``province.dead``."""
    connection = connect(amqp_url)
    sent = 0
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        skipped = []
        while True:
            method, properties, body = channel.basic_get(DEAD_QUEUE, auto_ack=False)
            if method is None:
                break
            if message_ids is not None and properties.message_id not in message_ids:
                skipped.append(method.delivery_tag)
                continue
            channel.basic_publish(
                IN_EXCHANGE,
                properties.type or "province",
                body,
                properties=pika.BasicProperties(
                    content_type=properties.content_type,
                    delivery_mode=pika.DeliveryMode.Persistent,
                    message_id=properties.message_id,
                    type=properties.type,
                    user_id=properties.user_id,
                ),
                mandatory=True,
            )
            channel.basic_ack(method.delivery_tag)
            sent += 1
        for tag in skipped:
            channel.basic_nack(tag, requeue=True)
        return sent
    finally:
        connection.close()
