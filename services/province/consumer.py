"""The province's consumer: ``province.events`` (bound to the federated ``province.in``),
what arrived together applied in one transaction with its inbox rows. A refused message is
rejected without requeue, so RabbitMQ dead-letters it to ``province.dead`` (visible with
``campus-safety dead-letters list province``, replayable with ``replay`` below); a failure
of the province's own (database down) is retried, up to the queue's delivery limit."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pika
from sqlalchemy.orm import Session, sessionmaker

from services.province.domain import Refused
from services.province.ingest import ingest, known_colleges
from shared.db import unit_of_work
from shared.events.province import IN_EXCHANGE
from shared.events.reconnect import Backoff, run_with_reconnect
from shared.events.topology import connect, dead_queue_arguments

log = logging.getLogger("campus.province")

QUEUE = "province.events"
DEAD_QUEUE = "province.dead"
DLX = f"{IN_EXCHANGE}.dlx"
GATHER_SECONDS = 0.02


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
        self,
        factory: sessionmaker[Session],
        amqp_url: str,
        *,
        delivery_limit: int = 5,
        batch: int = 200,
    ) -> None:
        self._factory, self._url, self._limit = factory, amqp_url, delivery_limit
        self._batch = batch
        self._backoff = Backoff()
        self.applied = self.refused = 0

    def run(self, stop: threading.Event) -> None:
        run_with_reconnect(log, "province consumer", self._run_connection, stop, self._backoff)

    def _run_connection(self, stop: threading.Event) -> None:
        connection = connect(self._url)
        try:
            channel = connection.channel()
            declare(channel, self._limit)
            channel.basic_qos(prefetch_count=self._batch)
            pending: list[tuple[Any, Any, bytes]] = []
            channel.basic_consume(QUEUE, lambda _c, m, p, b: pending.append((m, p, b)))
            self._backoff.connected()
            log.info("province consumer: consuming %s", QUEUE)
            while not stop.is_set():
                connection.process_data_events(time_limit=0.05)
                # What arrives within a few ms joins the batch: one commit for all of them.
                gather_until = time.monotonic() + GATHER_SECONDS
                while pending and len(pending) < self._batch and time.monotonic() < gather_until:
                    connection.process_data_events(time_limit=0.005)
                if pending:
                    batch, pending[:] = list(pending), []
                    self._apply(channel, batch)
        finally:
            if connection.is_open:
                connection.close()

    def _apply(self, channel, batch: list[tuple[Any, Any, bytes]]) -> None:
        """The batch in one transaction, each message in a savepoint of its own: a refused
        one is rolled back alone and rejected (dead-lettered), the others acked after the
        commit. A failure of the province's own requeues the whole batch."""
        refused: dict[int, str] = {}
        applied = 0
        try:
            with unit_of_work(self._factory) as session:
                colleges = known_colleges(session)
                for method, properties, body in batch:
                    try:
                        with session.begin_nested():
                            applied += ingest(session, properties.user_id, body, colleges)
                    except Refused as exc:
                        refused[method.delivery_tag] = f"{properties.message_id}: {exc}"
        except Exception as exc:
            log.warning("province: %d messages not applied (%s); retried", len(batch), exc)
            channel.connection.sleep(1.0)
            for method, _, _ in batch:
                channel.basic_nack(method.delivery_tag, requeue=True)
            return
        for method, _, _ in batch:
            reason = refused.get(method.delivery_tag)
            if reason is None:
                channel.basic_ack(method.delivery_tag)
                continue
            log.warning("province: dead-lettering %s", reason)
            channel.basic_reject(method.delivery_tag, requeue=False)
        self.applied += applied
        self.refused += len(refused)


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
