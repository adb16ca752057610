"""The installation's identity (CAMPUS_ID) travels with what leaves it: every event the
relay publishes carries it as the message's app_id (rows written before the setting too:
the relay stamps a row when it sends it), and every exported workbook names it."""

from __future__ import annotations

import io
import threading

import pika
import pytest
from openpyxl import load_workbook

from shared import installation
from shared.config import ConfigError, load_settings
from shared.db import make_session_factory
from shared.events.relay import OutboxRelay
from shared.events.topology import connect
from shared.xlsx import workbook_bytes
from tests.integration.conftest import produce_hazard_events
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration


def test_every_published_event_names_the_installation(databases, amqp_url):
    produce_hazard_events(databases.engine("hazards"), created=3, registered=0)
    connection = connect(amqp_url)
    channel = connection.channel()
    channel.exchange_declare("campus.events", exchange_type="topic", durable=True)
    spy = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(spy, "campus.events", routing_key="#")
    factory = make_session_factory(databases.engine("hazards"))
    relay = OutboxRelay(factory, amqp_url, "campus.events", campus_id="lzxd")
    stop = threading.Event()
    worker = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    worker.start()
    try:
        received: list = []

        def three_received() -> bool:
            method, properties, _body = channel.basic_get(spy, auto_ack=True)
            if method is not None:
                received.append(properties)
            return len(received) == 3

        wait_until(three_received, timeout=30, message="three events published")
    finally:
        stop.set()
        worker.join(timeout=10)
        connection.close()
    assert {p.app_id for p in received} == {"lzxd"}
    assert {p.type for p in received} == {"hazard.created"}


def one_sheet(book) -> None:
    with book.sheet("隐患台账") as sheet:
        sheet.append(["编号"])


def test_every_workbook_names_the_installation(monkeypatch):
    monkeypatch.setenv("CAMPUS_ID", "lzxd")
    installation.campus_id.cache_clear()
    try:
        data = workbook_bytes(one_sheet)
    finally:
        installation.campus_id.cache_clear()
    properties = load_workbook(io.BytesIO(data)).properties
    assert properties.identifier == "lzxd" and properties.creator == "校安平台"


def test_a_malformed_campus_id_stops_start_up(monkeypatch):
    monkeypatch.setenv("CAMPUS_ID", "兰州 College")
    with pytest.raises(ConfigError, match="CAMPUS_ID"):
        load_settings("hazards")
    monkeypatch.setenv("CAMPUS_ID", "lzxd")
    assert load_settings("hazards").campus_id == "lzxd"


def test_a_requeued_dead_letter_still_names_its_installation(amqp_url):
    from shared.events.dead_letters import requeue
    from shared.events.topology import dead_queue_name, declare_all, queue_name

    declare_all(amqp_url, "campus.events", {"reporting": ["hazard.created"]}, 5)
    connection = connect(amqp_url)
    try:
        channel = connection.channel()
        channel.queue_purge(queue_name("reporting"))
        channel.basic_publish(
            "",
            dead_queue_name("reporting"),
            b'{"id": "e-1", "type": "hazard.created"}',
            pika.BasicProperties(message_id="e-1", type="hazard.created", app_id="lzxd"),
        )
        assert requeue(amqp_url, "campus.events", "reporting") == 1
        method = properties = None

        def back() -> bool:
            nonlocal method, properties
            method, properties, _ = channel.basic_get(queue_name("reporting"), auto_ack=True)
            return method is not None

        wait_until(back, timeout=30, message="the letter back in reporting's queue")
        assert properties.app_id == "lzxd" and properties.message_id == "e-1"
    finally:
        connection.close()
