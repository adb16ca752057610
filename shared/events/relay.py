"""Outbox relay: publishes unsent outbox rows in id order with publisher confirms.

Built on pika's asynchronous SelectConnection so that a whole batch is in flight at
once and confirmed with (multiple) acks, instead of one round trip per message.

Guarantees:
- a row is marked sent only after the broker acked it and did not return it
  (``mandatory``: a message no queue is bound for comes back instead of vanishing);
- rows are selected by ``published_at IS NULL`` (never by a high-water mark, which
  would skip rows that commit late), with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so
  two relays never publish the same batch;
- a nacked or returned row is retried with exponential backoff; a crash between
  publish and marking re-publishes the row, which consumers' inboxes absorb.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pika
from pika.spec import Basic
from sqlalchemy import or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from shared.events.outbox import OutboxMessage
from shared.events.reconnect import Backoff, run_with_reconnect
from shared.events.topology import connection_parameters
from shared.installation import UNNAMED
from shared.timeutil import utcnow

log = logging.getLogger("campus.relay")

CONFIRM_TIMEOUT_SECONDS = 30.0
MAX_IDLE_POLL_SECONDS = 0.025
# Polls at the base interval after the last row found, before backing off: events that
# come every few ms (a busy hour) wait one interval, not a backed-off 25 ms; an idle
# relay slows down after about a tenth of a second.
BUSY_POLLS = 20


def retry_delay(attempts: int, cap: float = 300.0) -> float:
    """Seconds before retrying a row that failed ``attempts`` times (1, 2, 4, … capped)."""
    return min(cap, 2.0 ** max(0, attempts - 1))


class OutboxRelay:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        amqp_url: str,
        exchange: str,
        *,
        batch_size: int = 500,
        poll_seconds: float = 0.005,
        before_connect: Callable[[], None] | None = None,
        campus_id: str = UNNAMED,
    ) -> None:
        self._factory = session_factory
        self._campus_id = campus_id
        self._amqp_url = amqp_url
        self._exchange = exchange
        self._batch_size = batch_size
        self._poll = poll_seconds
        self._before_connect = before_connect
        self._hold_locks = session_factory.kw["bind"].dialect.name != "sqlite"
        self.published = 0  # rows confirmed since start, for logs and benchmarks
        self._backoff = Backoff()

    # -- lifecycle -------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        """Publish until ``stop`` is set, reconnecting with backoff when the broker fails."""
        run_with_reconnect(
            log, "relay", self._run_connection, stop, self._backoff, self._before_connect
        )

    def _run_connection(self, stop: threading.Event) -> None:
        self._reset()
        self._stop = stop
        self._error: BaseException | None = None
        self._connection = pika.SelectConnection(
            connection_parameters(self._amqp_url),
            on_open_callback=self._on_connection_open,
            on_open_error_callback=self._on_open_error,
            on_close_callback=self._on_connection_closed,
        )
        self._connection.ioloop.start()
        self._release_session(commit=False)
        if self._error is not None and not stop.is_set():
            raise RuntimeError(str(self._error))

    def _reset(self) -> None:
        self._channel: Any = None
        self._session: Session | None = None
        self._pending: dict[int, int] = {}  # delivery tag -> outbox row id
        self._row_by_event: dict[str, int] = {}
        self._acked: list[int] = []
        self._failed: dict[int, str] = {}  # row id -> reason
        self._next_tag = 0
        self._batch_no = 0
        self._idle_polls = 0

    def _on_open_error(self, _connection, error) -> None:
        self._error = error if isinstance(error, BaseException) else RuntimeError(error)
        self._connection.ioloop.stop()

    def _on_connection_closed(self, _connection, reason) -> None:
        if not self._stop.is_set():
            self._error = reason if isinstance(reason, BaseException) else RuntimeError(reason)
        self._channel = None
        self._connection.ioloop.stop()

    def _on_connection_open(self, connection) -> None:
        connection.channel(on_open_callback=self._on_channel_open)

    def _on_channel_open(self, channel) -> None:
        self._channel = channel
        self._backoff.connected()
        channel.add_on_close_callback(self._on_channel_closed)
        channel.add_on_return_callback(self._on_return)
        channel.confirm_delivery(self._on_confirm, callback=lambda _frame: self._schedule(0))
        self._watch_stop()
        log.info("relay: connected, publishing to %s", self._exchange)

    def _on_channel_closed(self, _channel, reason) -> None:
        (log.info if self._stop.is_set() else log.warning)("relay: channel closed: %s", reason)
        self._channel = None
        if self._connection.is_open:
            self._connection.close()

    def _watch_stop(self) -> None:
        if self._stop.is_set():
            if self._connection.is_open:
                self._connection.close()
            return
        self._connection.ioloop.call_later(0.2, self._watch_stop)

    def _schedule(self, delay: float) -> None:
        self._connection.ioloop.call_later(delay, self._pump)

    # -- publishing ------------------------------------------------------------
    def _pump(self) -> None:
        if self._channel is None or self._pending or self._stop.is_set():
            return
        try:
            rows = self._fetch_batch()
        except Exception as exc:
            log.warning("relay: database unavailable (%s)", exc)
            self._release_session(commit=False)
            self._schedule(1.0)
            return
        if not rows:
            self._release_session(commit=True)
            self._idle_polls += 1
            backed_off = max(1, self._idle_polls - BUSY_POLLS)
            self._schedule(min(self._poll * backed_off, MAX_IDLE_POLL_SECONDS))
            return
        self._idle_polls = 0
        self._batch_no += 1
        properties_for = partial(_properties, self._campus_id)
        for row_id, event_id, event_type, body in rows:
            self._next_tag += 1
            self._pending[self._next_tag] = row_id
            self._row_by_event[event_id] = row_id
            self._channel.basic_publish(
                self._exchange,
                event_type,
                body.encode(),
                properties=properties_for(event_id, event_type),
                mandatory=True,
            )
        batch_no = self._batch_no
        self._connection.ioloop.call_later(
            CONFIRM_TIMEOUT_SECONDS, lambda: self._confirm_timeout(batch_no)
        )

    def _fetch_batch(self) -> list[tuple[int, str, str, str]]:
        now = utcnow()
        self._session = self._factory()
        stmt = (
            select(
                OutboxMessage.id,
                OutboxMessage.event_id,
                OutboxMessage.event_type,
                OutboxMessage.body,
            )
            .where(OutboxMessage.published_at.is_(None))
            .where(
                or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)
            )
            .order_by(OutboxMessage.id)
            .limit(self._batch_size)
            .with_for_update(skip_locked=True)
        )
        rows = [tuple(r) for r in self._session.execute(stmt)]
        if not self._hold_locks:
            self._session.commit()
        return rows  # type: ignore[return-value]

    def _on_return(self, _channel, method, properties, _body) -> None:
        row_id = self._row_by_event.get(properties.message_id)
        if row_id is not None:
            self._failed[row_id] = f"returned by broker: {method.reply_text} ({method.routing_key})"
            log.error(
                "relay: event %s (%s) is unroutable: no queue is bound for it",
                properties.message_id,
                method.routing_key,
            )

    def _on_confirm(self, frame) -> None:
        method = frame.method
        ack = isinstance(method, Basic.Ack)
        if method.multiple:
            tags = [t for t in self._pending if t <= method.delivery_tag]
        else:
            tags = [method.delivery_tag] if method.delivery_tag in self._pending else []
        for tag in tags:
            row_id = self._pending.pop(tag)
            if not ack:
                self._failed.setdefault(row_id, "nacked by broker")
            elif row_id not in self._failed:
                self._acked.append(row_id)
        if not self._pending:
            self._finish_batch()

    def _confirm_timeout(self, batch_no: int) -> None:
        if self._pending and batch_no == self._batch_no:
            log.error("relay: no confirm within %.0fs; reconnecting", CONFIRM_TIMEOUT_SECONDS)
            self._connection.close()

    def _finish_batch(self) -> None:
        acked, failed = self._acked, self._failed
        self._acked, self._failed, self._row_by_event = [], {}, {}
        try:
            session = self._session or self._factory()
            self._session = session
            now = utcnow()
            if acked and session.get_bind().dialect.name == "postgresql":
                # No wait for the disk: a mark lost in a database crash only publishes the
                # rows again, which the consumers' inboxes absorb (as a relay crash does).
                session.execute(_NO_SYNC)
                # One array parameter: the same prepared statement for every batch, where
                # IN (…) of up to 500 ids was a new statement to parse and plan each time.
                session.execute(_MARK_SENT, {"now": now, "ids": acked})
            else:
                for chunk in _chunks(acked, 500):
                    session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id.in_(chunk))
                        .values(published_at=now)
                        .execution_options(synchronize_session=False)
                    )
            for row_id, reason in failed.items():
                row = session.get(OutboxMessage, row_id)
                if row is not None:
                    row.attempts += 1
                    row.last_error = reason
                    row.next_attempt_at = now + timedelta(seconds=retry_delay(row.attempts))
            self._release_session(commit=True)
            self.published += len(acked)
        except Exception as exc:
            # Published but not marked: the rows go out again; consumers' inboxes dedupe.
            log.warning("relay: could not mark rows sent (%s)", exc)
            self._release_session(commit=False)
            self._schedule(1.0)
            return
        self._schedule(0 if not failed else self._poll)

    def _release_session(self, commit: bool) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            if commit:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()


_NO_SYNC = text("SET LOCAL synchronous_commit TO OFF")
_MARK_SENT = text("UPDATE outbox SET published_at = :now WHERE id = ANY(CAST(:ids AS bigint[]))")


def _properties(campus_id: str, event_id: str, event_type: str) -> pika.BasicProperties:
    """``app_id``: the installation that published it (shared.installation)."""
    return pika.BasicProperties(
        content_type="application/json",
        delivery_mode=pika.DeliveryMode.Persistent,
        message_id=event_id,
        type=event_type,
        app_id=campus_id,
    )


def _chunks(items: list[int], size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
