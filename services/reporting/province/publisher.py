"""Publishes ``province_outbox`` to the campus's ``province.out`` exchange, in id order,
in batches, each an AMQP transaction (its commit-ok, like a publisher confirm, comes once
the broker has the messages safe), as the campus's own broker user (``user_id`` set:
RabbitMQ refuses the message unless it is the connection's user). A row is marked sent only
once committed and not returned (``mandatory``: before the province's federation link first
bound its queue there is nowhere to go, and the row waits). A crash between publish and
marking publishes it again; the province's inbox absorbs the duplicate.

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
            returned: set[str] = set()
            channel.add_on_return_callback(lambda _c, _m, props, _b: returned.add(props.message_id))
            # A transaction per batch: its commit-ok comes once the broker has every message
            # of it safe (persisted, as a confirm would say), one disk sync for the batch
            # instead of one per message; basic.return frames come before it.
            channel.tx_select()
            self._backoff.connected()
            log.info("province publisher: connected as %s", self._link.user)
            while not stop.is_set():
                if not self.publish_batch(channel, returned):
                    connection.sleep(self._poll)
        finally:
            if connection.is_open:
                connection.close()

    def publish_batch(self, channel, returned: set[str]) -> int:
        """Publish the oldest unsent rows in one transaction; mark those the broker took
        and routed. A returned row (no queue bound yet) waits for the next round; the
        province orders by sequence, not by arrival. Returns the rows sent."""
        with self._factory() as session:
            rows = session.scalars(
                select(ProvinceOutboxMessage)
                .where(ProvinceOutboxMessage.published_at.is_(None))
                .order_by(ProvinceOutboxMessage.id)
                .limit(self._batch)
            ).all()
            if not rows:
                return 0
            returned.clear()
            for row in rows:
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
            channel.tx_commit()
            channel.connection.process_data_events(0)  # hand over any basic.return
            now, sent = utcnow(), 0
            for row in rows:
                if row.message_id in returned:
                    row.attempts += 1
                    row.last_error = "returned by the campus broker: no province link bound yet"
                    continue
                row.published_at = now
                sent += 1
            session.commit()
        if returned:
            log.warning("province publisher: %d messages wait for the link", len(returned))
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
