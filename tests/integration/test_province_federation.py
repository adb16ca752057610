"""Issue 19 end to end: three campus installations (own vhost, own reporting database, own
broker users) and one province installation (own vhost and database), linked by RabbitMQ's
federation plugin on this machine. Each campus submits tables and closes hazards; the province
shows each college's figures and the totals; a cut link loses and doubles nothing; every
message the province received is a province message without personal data; an impostor, an
unknown version and a malformed body are dead-lettered and change no figure."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pika
import pytest
from sqlalchemy import select

from services.province import create_app
from services.province.consumer import DEAD_QUEUE, declare
from services.reporting.province.models import ProvinceOutboxMessage
from shared.events.dead_letters import peek
from shared.events.province import IN_EXCHANGE, OUT_EXCHANGE, message_types, validate_data
from tests.support.fixtures import bearer
from tests.support.province import (
    Campus,
    Installation,
    Province,
    campus_env,
    ctl,
    cut_link,
    federated,
    grant_link,
    province_env,
    province_worker_args,
)
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

PROVINCE = bearer("province_office", sub="province")
PERSONAL = ("张伟", "p-1")  # the responsible person every test hazard event carries


@pytest.fixture
def federation() -> Iterator[tuple[Province, list[Campus]]]:
    with federated() as linked:
        yield linked


def _publish_as(campus: Campus, body: bytes, message_id: str, kind: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(campus.user_url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        properties = pika.BasicProperties(
            message_id=message_id, type=kind, user_id=campus.campus_id, delivery_mode=2
        )
        channel.basic_publish(OUT_EXCHANGE, kind, body, properties=properties, mandatory=True)
    finally:
        connection.close()


def _spy(province: Province) -> str:
    """A queue of the test's own on province.in: every message the province received."""
    connection = pika.BlockingConnection(pika.URLParameters(province.url))
    try:
        channel = connection.channel()
        declare(channel)
        channel.queue_declare("test.spy", durable=True)
        channel.queue_bind("test.spy", IN_EXCHANGE, routing_key="#")
    finally:
        connection.close()
    return "test.spy"


def _drain(province: Province, queue: str) -> list[tuple[pika.BasicProperties, bytes]]:
    connection = pika.BlockingConnection(pika.URLParameters(province.url))
    received = []
    try:
        channel = connection.channel()
        while True:
            method, properties, body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                return received
            received.append((properties, body))
    finally:
        connection.close()


def test_three_colleges_reach_the_province_over_federation_and_a_cut_link_loses_nothing(
    federation, processes
):
    province, campuses = federation
    spy = _spy(province)
    processes.spawn("province-worker", province_worker_args(), province_env(province, campuses))
    for campus in campuses:
        processes.worker("reporting", campus_env(campus), "--relay-only")
    a, b, c = (Installation(campus) for campus in campuses)
    api = create_app({"database_url": province.db_url, "amqp_url": province.url}).test_client()

    def get(path: str):
        response = api.get(path, headers=PROVINCE)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def closed_of(campus: Campus) -> int | None:
        figures = get(f"/province/colleges/{campus.campus_id}")["figures"]
        return figures[0]["figures"]["cumulative_closed"] if figures else None

    # Each campus finds and closes hazards, then submits its units' tables.
    a.hazards("a", found=3, closed=2)
    b.hazards("b", found=2, closed=1)
    b.hazards("b-major", found=1, closed=1, severity="major")
    c.hazards("c", found=4, closed=4)
    a.submit_all(0, datetime(2021, 11, 20, 2, tzinfo=UTC))  # on time
    b.submit_all(0, datetime(2021, 11, 25, 2, tzinfo=UTC))  # late (due 2021-11-22)
    c.submit_all(1, datetime(2021, 12, 1, 2, tzinfo=UTC))  # the next date; none for the first

    wait_until(
        lambda: (
            get("/province/totals")["reporting"] == 3
            and get("/province/totals")["totals"].get("cumulative_closed") == 8
        ),
        timeout=90,
        interval=0.5,
        message="three colleges' figures at the province",
    )
    totals = get("/province/totals")
    assert totals["totals"]["cumulative_found"] == 10 and totals["totals"]["cumulative_rate"] == 0.8
    assert {r["name"]: r["figures"]["cumulative_found"] for r in totals["by_college"]} == {
        campuses[0].name: 3,
        campuses[1].name: 3,
        campuses[2].name: 4,
    }
    wait_until(
        lambda: get(f"/province/colleges/{campuses[1].campus_id}")["major_hazards"],
        timeout=30,
        message="b's major hazard",
    )
    [major] = get(f"/province/colleges/{campuses[1].campus_id}")["major_hazards"]
    assert major["stage"] == "closed" and major["closed_on"] == "2021-11-15"
    first = next(d for d in get("/province/dues") if d["due_on"] == "2021-11-22")
    assert [x["name"] for x in first["on_time"]] == [campuses[0].name]
    assert [x["name"] for x in first["late"]] == [campuses[1].name]
    assert [x["name"] for x in first["missing"]] == [campuses[2].name]

    # Campus A's link is cut; A keeps working: it closes a hazard and submits its next table.
    cut_link(campuses[0])
    a.close("a-2", day=25)
    a.submit_all(1, datetime(2021, 12, 1, 2, tzinfo=UTC))
    buffered = f"federation: {OUT_EXCHANGE} -> "
    wait_until(
        lambda: (
            a.unsent() == 0
            and any(
                line.startswith(buffered) and int(line.rsplit("\t", 1)[1]) > 0
                for line in ctl("list_queues", "-q", "-p", campuses[0].vhost, "name", "messages")
                .strip()
                .splitlines()
            )
        ),
        timeout=30,
        interval=0.5,
        message="A's messages waiting in A's broker while the link is down",
    )
    assert closed_of(campuses[0]) == 2  # the province still has the old figure
    grant_link(campuses[0])
    wait_until(
        lambda: closed_of(campuses[0]) == 3,
        timeout=60,
        interval=0.5,
        message="A's new figure after the link is back",
    )

    # A duplicate of an applied message, an impostor, an unknown version, a malformed body.
    with a.factory() as session:
        last = session.scalars(
            select(ProvinceOutboxMessage)
            .where(ProvinceOutboxMessage.message_type == "province.figures")
            .order_by(ProvinceOutboxMessage.id.desc())
        ).first()
    _publish_as(campuses[0], last.body.encode(), last.message_id, last.message_type)
    impostor = json.loads(last.body)
    impostor["id"] = str(uuid.uuid4())
    impostor["sequence"] += 100
    impostor["data"]["campus_id"] = campuses[1].campus_id  # A speaking for B
    impostor["data"]["figures"]["cumulative_closed"] = 999
    newer = {**json.loads(last.body), "id": str(uuid.uuid4()), "version": 2, "sequence": 999}
    bad = {
        "impostor": json.dumps(impostor).encode(),
        "version": json.dumps(newer).encode(),
        "malformed": b'{"type": "province.figures", "data": ',
    }
    bad_ids = {}
    for what, body in bad.items():
        bad_ids[what] = str(uuid.uuid4())
        _publish_as(campuses[0], body, bad_ids[what], "province.figures")
    letters = wait_until(
        lambda: len(peek(province.url, "province")) == 3 and peek(province.url, "province"),
        timeout=30,
        interval=0.5,
        message="three dead letters at the province",
    )
    assert {letter["id"] for letter in letters} >= {impostor["id"], newer["id"]}
    assert all(letter["queue"] == "province.events" for letter in letters), DEAD_QUEUE
    after = get("/province/totals")
    assert after["totals"]["cumulative_closed"] == 9  # 3 + 2 + 4: nothing doubled or forged
    assert closed_of(campuses[1]) == 2

    wait_until(
        lambda: a.unsent() + b.unsent() + c.unsent() == 0, timeout=30, message="all published"
    )
    # Everything the province broker received: province messages only, no person, and every
    # message each campus wrote arrived (nothing lost).
    received = _drain(province, spy)
    ids = set()
    for properties, body in received:
        if properties.message_id in bad_ids.values():
            continue
        message = json.loads(body)
        assert message["type"] in message_types() and properties.type == message["type"]
        validate_data(message["type"], message["version"], message["data"])
        assert properties.user_id == message["data"]["campus_id"] == message["source"]
        text = body.decode()
        assert not any(word in text for word in PERSONAL), text
        ids.add(message["id"])
    assert ids == a.sent() | b.sent() | c.sent()
    assert not any(p.type.startswith(("hazard.", "unit.", "incident.")) for p, _ in received)
