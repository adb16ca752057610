"""Dead-letter queues: look at poison messages, and send them back after a fix."""

from __future__ import annotations

import json
from typing import Any

import pika

from shared.events.topology import connect, dead_queue_name


def _describe(properties: pika.BasicProperties, body: bytes) -> dict[str, Any]:
    try:
        envelope = json.loads(body)
    except ValueError:
        envelope = {}
    if not isinstance(envelope, dict):
        envelope = {}
    deaths = (properties.headers or {}).get("x-death") or [{}]
    first = deaths[0]
    routing_keys = first.get("routing-keys") or []
    return {
        "id": envelope.get("id") or properties.message_id,
        "type": envelope.get("type") or properties.type or (routing_keys[:1] or [None])[0],
        "subject": envelope.get("subject"),
        "reason": _text(first.get("reason")),
        "queue": _text(first.get("queue")),
        "count": first.get("count"),
        "body": body.decode("utf-8", "replace")[:2000],
    }


def _text(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else value


def peek(amqp_url: str, service: str, limit: int = 1000) -> list[dict[str, Any]]:
    """List dead letters without removing them (unacked gets go back when the channel closes)."""
    connection = connect(amqp_url)
    try:
        channel = connection.channel()
        letters = []
        for _ in range(limit):
            method, properties, body = channel.basic_get(dead_queue_name(service), auto_ack=False)
            if method is None:
                break
            letters.append(_describe(properties, body))
        return letters
    finally:
        connection.close()


def requeue(amqp_url: str, exchange: str, service: str, event_ids: set[str] | None = None) -> int:
    """Publish dead letters back to the exchange (with confirms), then remove them."""
    connection = connect(amqp_url)
    requeued = 0
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        skipped = []
        while True:
            method, properties, body = channel.basic_get(dead_queue_name(service), auto_ack=False)
            if method is None:
                break
            letter = _describe(properties, body)
            if event_ids is not None and letter["id"] not in event_ids:
                skipped.append(method.delivery_tag)
                continue
            headers = {
                k: v for k, v in (properties.headers or {}).items() if not k.startswith("x-")
            }
            channel.basic_publish(
                exchange,
                letter["type"] or "",
                body,
                properties=pika.BasicProperties(
                    content_type=properties.content_type,
                    delivery_mode=pika.DeliveryMode.Persistent,
                    message_id=properties.message_id,
                    type=properties.type,
                    app_id=properties.app_id,  # the installation that published it
                    headers=headers or None,
                ),
                mandatory=True,
            )
            channel.basic_ack(method.delivery_tag)
            requeued += 1
        for tag in skipped:
            channel.basic_nack(tag, requeue=True)
        return requeued
    finally:
        connection.close()
