"""Event consumer: manual acks, a prefetch window, batched transactions, an inbox.

Messages are applied in batches (up to ``batch_size``, or whatever is buffered when the
stream pauses) inside one database transaction that also records every event id in the
inbox, so a redelivered event is a no-op. When a handler fails, the batch is replayed
with one SAVEPOINT per event, so one failing event does not undo the others. After the
commit the batch is acked (one multiple-ack when everything succeeded).

- malformed envelope, data failing its catalogue schema, or a type without handler:
  rejected without requeue → dead-lettered at once (retrying cannot help);
- a handler exception: nacked with requeue; the quorum queue's delivery limit sends it
  to ``<service>.dead`` after a bounded number of attempts;
- the database unreachable: the batch is kept unacked and retried with backoff, so an
  outage never burns delivery attempts or dead-letters good messages.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from marshmallow import ValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from shared.events.catalog import validate_data
from shared.events.envelope import Envelope
from shared.events.inbox import InboxMessage, already_processed, claim, record_processed
from shared.events.reconnect import Backoff, run_with_reconnect
from shared.events.topology import connect, queue_name

log = logging.getLogger("campus.consumer")

Handler = Callable[[Session, Envelope], None]


class BatchHandler:
    """A handler that can also apply a run of its events in one go (``many``): fewer
    statements for the same outcome as ``one`` event at a time, in an order the handler
    tolerates (events come out of order anyway). The consumer's fast path hands each run
    of consecutive events with the same BatchHandler to ``many``; its one-SAVEPOINT-per-
    event replay after a failure calls the handler one event at a time."""

    def __init__(self, one: Handler, many: Callable[[Session, list[Envelope]], None]) -> None:
        self.one = one
        self.many = many

    def __call__(self, session: Session, envelope: Envelope) -> None:
        self.one(session, envelope)


ACK, REQUEUE, REJECT = "ack", "requeue", "reject"
_INFRASTRUCTURE_ERRORS = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


@dataclass
class Delivery:
    tag: int
    body: bytes
    redeliveries: int


class DatabaseUnavailable(RuntimeError):
    pass


def apply_batch(
    session: Session, handlers: Mapping[str, Handler], deliveries: list[Delivery]
) -> dict[int, str]:
    """Apply a batch in ``session`` (not committed here); return tag -> ack/requeue/reject.

    Fast path: every handler in one transaction, inbox rows written together at the end.
    If a handler fails, the batch is rolled back and replayed one SAVEPOINT per event,
    so only the failing event is retried and the others still commit.
    """
    outcomes: dict[int, str] = {}
    parsed: list[tuple[Delivery, Envelope]] = []
    for delivery in deliveries:
        try:
            envelope = Envelope.from_json(delivery.body)
            validate_data(envelope.type, envelope.version, envelope.data)
            if envelope.type not in handlers:
                raise ValidationError(f"no handler for {envelope.type}")
        except ValidationError as exc:
            log.error("consumer: rejecting malformed message: %s", exc.messages)
            outcomes[delivery.tag] = REJECT
            continue
        parsed.append((delivery, envelope))
    try:
        outcomes.update(_apply_all(session, handlers, parsed))
    except _INFRASTRUCTURE_ERRORS as exc:
        raise DatabaseUnavailable(str(exc)) from exc
    except Exception:
        session.rollback()
        outcomes.update(_apply_one_by_one(session, handlers, parsed))
    return outcomes


def _fresh(session: Session, parsed: list[tuple[Delivery, Envelope]]):
    """Split ``parsed`` into (already applied, to apply), dropping in-batch duplicates."""
    seen = already_processed(session, [env.id for _, env in parsed])
    done, todo = [], []
    for delivery, envelope in parsed:
        if envelope.id in seen:
            done.append(delivery)
        else:
            seen.add(envelope.id)
            todo.append((delivery, envelope))
    return done, todo


def _inbox_row(envelope: Envelope) -> InboxMessage:
    return InboxMessage(event_id=envelope.id, event_type=envelope.type, source=envelope.source)


def _claimed(session: Session, parsed: list[tuple[Delivery, Envelope]]):
    """``_fresh``, with the inbox rows of the events to apply written at once (PostgreSQL:
    one INSERT … ON CONFLICT DO NOTHING RETURNING, which also tells which were there);
    elsewhere ``_fresh``, the rows written after the handlers. Rolled back with the
    batch if a handler fails. (done, to apply, claimed already)"""
    unique: dict[str, tuple[Delivery, Envelope]] = {}
    for delivery, envelope in parsed:
        unique.setdefault(envelope.id, (delivery, envelope))
    claimed = claim(session, [(e.id, e.type, e.source) for _, e in unique.values()])
    if claimed is None:
        return (*_fresh(session, parsed), False)
    todo = [(d, e) for d, e in unique.values() if e.id in claimed]
    fresh = {d.tag for d, _ in todo}
    return [d for d, _ in parsed if d.tag not in fresh], todo, True


def _apply_all(session, handlers, parsed) -> dict[int, str]:
    done, todo, claimed = _claimed(session, parsed)
    run: list[Envelope] = []  # consecutive events of one BatchHandler
    for _, envelope in todo:
        handler = handlers[envelope.type]
        if run and handler is not handlers[run[0].type]:
            _apply_run(session, handlers[run[0].type], run)
            run = []
        if isinstance(handler, BatchHandler):
            run.append(envelope)
        else:
            handler(session, envelope)
    if run:
        _apply_run(session, handlers[run[0].type], run)
    if not claimed:
        record_processed(session, [(e.id, e.type, e.source) for _, e in todo])
    session.flush()
    return {d.tag: ACK for d in done} | {d.tag: ACK for d, _ in todo}


def _apply_run(session: Session, handler: BatchHandler, run: list[Envelope]) -> None:
    if len(run) == 1:
        handler.one(session, run[0])
    else:
        handler.many(session, run)


def _apply_one_by_one(session, handlers, parsed) -> dict[int, str]:
    done, todo = _fresh(session, parsed)
    outcomes = {d.tag: ACK for d in done}
    for delivery, envelope in todo:
        savepoint = session.begin_nested()
        try:
            handlers[envelope.type](session, envelope)
            session.add(_inbox_row(envelope))
            savepoint.commit()
        except _INFRASTRUCTURE_ERRORS as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        except Exception:
            savepoint.rollback()
            log.exception(
                "consumer: handler failed for %s %s (delivery %d)",
                envelope.type,
                envelope.id,
                delivery.redeliveries + 1,
            )
            outcomes[delivery.tag] = REQUEUE
            continue
        outcomes[delivery.tag] = ACK
    return outcomes


class EventConsumer:
    def __init__(
        self,
        service: str,
        session_factory: sessionmaker[Session],
        handlers: Mapping[str, Handler],
        amqp_url: str,
        *,
        prefetch: int = 200,
        batch_size: int = 100,
        before_connect: Callable[[], None] | None = None,
    ) -> None:
        self._service = service
        self._factory = session_factory
        self._handlers = dict(handlers)
        self._amqp_url = amqp_url
        self._prefetch = prefetch
        self._batch_size = batch_size
        self._before_connect = before_connect
        self.applied = 0
        self._backoff = Backoff()

    def run(self, stop: threading.Event) -> None:
        run_with_reconnect(
            log, "consumer", self._consume, stop, self._backoff, self._before_connect
        )

    def _consume(self, stop: threading.Event) -> None:
        connection = connect(self._amqp_url)
        try:
            channel = connection.channel()
            channel.basic_qos(prefetch_count=self._prefetch)
            self._backoff.connected()
            log.info("consumer: consuming %s", queue_name(self._service))
            batch: list[Delivery] = []
            for method, properties, body in channel.consume(
                queue_name(self._service), inactivity_timeout=0.2
            ):
                if method is not None:
                    headers = properties.headers or {}
                    batch.append(
                        Delivery(method.delivery_tag, body, int(headers.get("x-delivery-count", 0)))
                    )
                # Flush when full, or as soon as nothing more is buffered locally.
                if batch and (
                    len(batch) >= self._batch_size or channel.get_waiting_message_count() == 0
                ):
                    if not self._flush(connection, channel, batch, stop):
                        return
                    batch = []
                if stop.is_set():
                    break
            channel.cancel()
        finally:
            if connection.is_open:
                connection.close()

    def _flush(self, connection, channel, batch: list[Delivery], stop: threading.Event) -> bool:
        """Apply and ack ``batch``; False when stopping before the database came back."""
        backoff = 0.5
        conflicts = 0
        while True:
            session = self._factory()
            try:
                outcomes = apply_batch(session, self._handlers, batch)
                session.commit()
                break
            except sa_exc.IntegrityError:
                # Another consumer applied one of these events first; its inbox row now
                # exists, so the retry sees a duplicate.
                session.rollback()
                conflicts += 1
                if conflicts > 3:
                    raise
                continue
            except (DatabaseUnavailable, *_INFRASTRUCTURE_ERRORS) as exc:
                session.rollback()
                log.warning("consumer: database unavailable (%s); retrying batch", exc)
                if stop.is_set():
                    return False  # unacked messages go back to the queue on close
                connection.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
            finally:
                session.close()
        self.applied += sum(1 for o in outcomes.values() if o == ACK)
        if all(o == ACK for o in outcomes.values()):
            channel.basic_ack(batch[-1].tag, multiple=True)
            return True
        for delivery in batch:
            outcome = outcomes[delivery.tag]
            if outcome == ACK:
                channel.basic_ack(delivery.tag)
            else:
                channel.basic_nack(delivery.tag, requeue=outcome == REQUEUE)
        return True
