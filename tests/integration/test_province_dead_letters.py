"""The province's dead letters are visible and replayable (issue 19): a college's message
refused because the province did not know the college yet waits in province.dead, shown by
the existing dead-letter tool; once the college is registered, ``replay`` sends it back with
its validated user_id (the replaying user holds RabbitMQ's impersonator tag) and it counts."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime
from urllib.parse import quote

import pika
import pytest

from services.province.consumer import ProvinceConsumer, replay
from services.province.models import CollegeFigures
from services.province.queries import register_colleges
from shared.db import make_engine, make_session_factory, unit_of_work
from shared.events.dead_letters import peek
from shared.events.envelope import Envelope
from shared.events.province import IN_EXCHANGE, serialize_data
from shared.migrations import upgrade
from tests.support import infra
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def province():
    tag = uuid.uuid4().hex[:6]
    vhost, url = infra.create_vhost()
    db = f"cs_test_province_dl_{tag}"
    users = {"college": f"c{tag}-x", "operator": f"op-{tag}"}
    infra.create_database(db)
    try:
        upgrade("province", infra.sqlalchemy_url(db))
        for user in users.values():
            infra.rabbitmqctl("add_user", user, tag)
            infra.rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
        infra.rabbitmqctl("set_user_tags", users["operator"], "impersonator")
        yield url, vhost, infra.sqlalchemy_url(db), users, tag
    finally:
        for user in users.values():
            infra.rabbitmqctl("delete_user", user, check=False)
        infra.delete_vhost(vhost)
        infra.drop_database(db)


def _url(user: str, password: str, vhost: str) -> str:
    return f"amqp://{user}:{password}@{infra.AMQP_HOST}/{quote(vhost, safe='')}"


def test_a_message_refused_for_an_unknown_college_counts_once_replayed(province):
    url, vhost, db_url, users, password = province
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    consumer = ProvinceConsumer(factory, url)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        campus = users["college"]
        data = {
            "campus_id": campus,
            "campaign": "LZXD-2021",
            "period_start": date(2021, 11, 8),
            "period_end": date(2021, 11, 22),
            "as_of": datetime(2021, 11, 22, tzinfo=UTC),
            "figures": {"cumulative_found": 5, "cumulative_closed": 5},
        }
        body = Envelope(
            "province.figures", 1, campus, "figures", 1, serialize_data("province.figures", 1, data)
        ).to_json()
        wait_until(lambda: consumer_ready(vhost), timeout=30, message="the province consumer")
        connection = pika.BlockingConnection(pika.URLParameters(_url(campus, password, vhost)))
        channel = connection.channel()
        channel.confirm_delivery()
        channel.basic_publish(
            IN_EXCHANGE,
            "province.figures",
            body,
            pika.BasicProperties(message_id="m-1", type="province.figures", user_id=campus),
            mandatory=True,
        )
        connection.close()
        [letter] = wait_until(lambda: peek(url, "province"), timeout=30, message="a dead letter")
        assert letter["type"] == "province.figures" and letter["queue"] == "province.events"

        with unit_of_work(factory) as session:
            register_colleges(session, {campus: "兰州现代职业学院"})
        assert replay(_url(users["operator"], password, vhost)) == 1

        def figures() -> int | None:
            with factory() as session:
                row = session.get(CollegeFigures, (campus, "LZXD-2021", date(2021, 11, 22)))
                return row and row.figures["cumulative_closed"]

        assert wait_until(figures, timeout=30, message="the replayed figure") == 5
        assert peek(url, "province") == []
    finally:
        stop.set()
        thread.join(timeout=10)
        engine.dispose()


def consumer_ready(vhost: str) -> bool:
    out = infra.rabbitmqctl("list_queues", "-q", "-p", vhost, "name", "consumers")
    return "province.events\t1" in out
