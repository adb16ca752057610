"""Publishes ``province_outbox`` to the campus's ``province.out`` exchange, in id order,
with publisher confirms, as the campus's own broker user (``user_id`` set: RabbitMQ refuses
the message unless it is the connection's user). A row is marked sent only once the broker
confirmed it and did not return it (``mandatory``: before the province's federation link
first bound its queue there is nowhere to go, and the row waits). A crash between publish
and marking publishes it again; the province's inbox absorbs the duplicate.

Separate from ``shared.events.relay`` on purpose: another exchange, another vhost and user,
another table; a blocking connection is plenty for the province's trickle."""

from __future__ import annotations

import logging
import threading

import pika
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.reporting.province.link import ProvinceLink
from services.reporting.province.models import ProvinceOutboxMessage
from shared.events.province import OUT_EXCHANGE
from shared.events.reconnect import Backoff, run_with_reconnect
from shared.events.topology import connect
from shared.timeutil import utcnow

log = logging.getLogger("campus.province")


def declare_out(channel) -> None:
    """The campus's exchange the province's federation link pulls from."""
    channel.exchange_declare(OUT_EXCHANGE, exchange_type="topic", durable=True)


class ProvincePublisher:
    def __init__(
        self,
        factory: sessionmaker[Session],
        link: ProvinceLink,
        *,
        batch_size: int = 200,
        poll_seconds: float = 0.2,
    ) -> None:
        self._factory, self._link = factory, link
        self._batch, self._poll = batch_size, poll_seconds
        self._backoff = Backoff()
        self.published = 0

    def run(self, stop: threading.Event) -> None:
        run_with_reconnect(log, "province publisher", self._run_connection, stop, self._backoff)

    def _run_connection(self, stop: threading.Event) -> None:
        connection = connect(self._link.amqp_url)
        try:
            channel = connection.channel()
            declare_out(channel)
            channel.confirm_delivery()
            self._backoff.connected()
            log.info("province publisher: connected as %s", self._link.user)
            while not stop.is_set():
                if not self.publish_batch(channel):
                    connection.sleep(self._poll)
        finally:
            if connection.is_open:
                connection.close()

    def publish_batch(self, channel) -> int:
        """Publish the oldest unsent rows, one confirm each; the first refusal ends the
        batch so order holds (it is retried next round). Returns the rows sent."""
        with self._factory() as session:
            rows = session.scalars(
                select(ProvinceOutboxMessage)
                .where(ProvinceOutboxMessage.published_at.is_(None))
                .order_by(ProvinceOutboxMessage.id)
                .limit(self._batch)
            ).all()
            sent = 0
            for row in rows:
                try:
                    channel.basic_publish(
                        OUT_EXCHANGE,
                        row.message_type,
                        row.body.encode(),
                        properties=pika.BasicProperties(
                            content_type="application/json",
                            delivery_mode=pika.DeliveryMode.Persistent,
                            message_id=row.message_id,
                            type=row.message_type,
                            user_id=self._link.user,
                        ),
                        mandatory=True,
                    )
                except (pika.exceptions.UnroutableError, pika.exceptions.NackError) as exc:
                    row.attempts += 1
                    row.last_error = f"not accepted by the campus broker: {exc!r}"[:500]
                    log.warning("province publisher: %s waits (%s)", row.message_id, exc)
                    break
                row.published_at = utcnow()
                sent += 1
            session.commit()
        self.published += sent
        return sent


def start(
    factory: sessionmaker[Session], link: ProvinceLink
) -> tuple[threading.Thread, threading.Event]:
    """The publisher in a thread of the reporting worker, and the event that stops it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=ProvincePublisher(factory, link).run, args=(stop,), name="province", daemon=True
    )
    thread.start()
    return thread, stop
