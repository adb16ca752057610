"""Issue 19 end to end: three campus installations (own vhost, own reporting database, own
broker users) and one province installation (own vhost and database), linked by RabbitMQ's
federation plugin on this machine. Each campus submits tables and closes hazards; the province
shows each college's figures and the totals; a cut link loses and doubles nothing; every
message the province received is a province message without personal data; an impostor, an
unknown version and a malformed body are dead-lettered and change no figure."""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import pika
import pytest
from sqlalchemy import select

from services.province import create_app
from services.province.consumer import DEAD_QUEUE, declare
from services.registry import make_handlers
from services.reporting import commands
from services.reporting.models import CampaignUnit, ReportingDue
from services.reporting.province.link import province_link
from services.reporting.province.models import ProvinceOutboxMessage
from shared.config import load_settings
from shared.db import make_engine, make_session_factory, unit_of_work
from shared.events.dead_letters import peek
from shared.events.province import IN_EXCHANGE, OUT_EXCHANGE, message_types, validate_data
from shared.migrations import upgrade
from shared.principal import SECURITY_OFFICE, Principal
from tests.support import infra
from tests.support.events import feed
from tests.support.fixtures import bearer
from tests.support.reporting import hazard_event, seed_grid_units
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

OFFICE = Principal("office", "安全保卫处", frozenset({SECURITY_OFFICE}), None)
PROVINCE = bearer("province_office", sub="province")
TZ = "Asia/Shanghai"
HOST = infra.AMQP_HOST
PERSONAL = ("张伟", "p-1")  # the responsible person every test hazard event carries
# The province's link user on a campus: its federation queue and exchange, and reading
# province.out (configure, write, read).
LINK_PERMISSIONS = (
    "^(federation: .*|province\\.out)$",
    "^federation: .*$",
    "^(federation: .*|province\\.out)$",
)


@dataclass
class Campus:
    campus_id: str
    name: str
    vhost: str
    db_name: str
    password: str

    @property
    def db_url(self) -> str:
        return infra.sqlalchemy_url(self.db_name)

    @property
    def guest_url(self) -> str:
        return f"amqp://guest:guest@{HOST}/{quote(self.vhost, safe='')}"

    @property
    def user_url(self) -> str:
        return f"amqp://{self.campus_id}:{self.password}@{HOST}/{quote(self.vhost, safe='')}"

    @property
    def link_user(self) -> str:
        return f"{self.campus_id}-link"

    def settings(self):
        return load_settings(
            "reporting",
            {
                "database_url": self.db_url,
                "amqp_url": self.guest_url,
                "campus_id": self.campus_id,
                "province_publish": "1",
                "province_amqp_url": self.user_url,
            },
        )


@dataclass
class Province:
    vhost: str
    db_name: str

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@{HOST}/{quote(self.vhost, safe='')}"

    @property
    def db_url(self) -> str:
        return infra.sqlalchemy_url(self.db_name)


def _ctl(*args: str) -> str:
    return infra.rabbitmqctl(*args)


def _upstream(province: Province, campus: Campus) -> None:
    uri = f"amqp://{campus.link_user}:{campus.password}@{HOST}/{quote(campus.vhost, safe='')}"
    value = {
        "uri": uri,
        "exchange": OUT_EXCHANGE,
        "trust-user-id": True,
        "ack-mode": "on-confirm",
        "reconnect-delay": 1,
        "expires": 1209600000,
    }
    _ctl(
        "set_parameter",
        "-p",
        province.vhost,
        "federation-upstream",
        campus.campus_id,
        json.dumps(value),
    )


def _grant_link(campus: Campus) -> None:
    _ctl("set_permissions", "-p", campus.vhost, campus.link_user, *LINK_PERMISSIONS)


def _cut_link(campus: Campus) -> None:
    """The link goes down as on a network failure: the link user loses its rights and its
    connection is closed; the federation keeps retrying, the campus broker keeps its queue."""
    _ctl("clear_permissions", "-p", campus.vhost, campus.link_user)
    for line in _ctl("list_connections", "-q", "pid", "user").splitlines():
        pid, _, user = line.partition("\t")
        if user.strip() == campus.link_user:
            infra.rabbitmqctl("close_connection", pid, "link cut by test", check=False)


@pytest.fixture
def federation() -> Iterator[tuple[Province, list[Campus]]]:
    tag = uuid.uuid4().hex[:6]
    names = ("兰州现代职业学院", "甘肃交通职业技术学院", "兰州职业技术学院")
    province = Province(infra.create_vhost()[0], f"cs_test_province_{tag}")
    campuses = [
        Campus(
            f"c{tag}-{n}", name, infra.create_vhost()[0], f"cs_test_rep_{tag}_{n}", uuid.uuid4().hex
        )
        for n, name in zip("abc", names, strict=True)
    ]
    try:
        infra.create_database(province.db_name)
        upgrade("province", province.db_url)
        for campus in campuses:
            infra.create_database(campus.db_name)
            upgrade("reporting", campus.db_url)
            _seed(campus)
            for user in (campus.campus_id, campus.link_user):
                _ctl("add_user", user, campus.password)
            _ctl(
                "set_permissions",
                "-p",
                campus.vhost,
                campus.campus_id,
                "^province\\.out$",
                "^province\\.out$",
                "^$",
            )
            _grant_link(campus)
            _upstream(province, campus)
        _ctl(
            "set_policy",
            "-p",
            province.vhost,
            "--apply-to",
            "exchanges",
            "province-federation",
            "^province\\.in$",
            '{"federation-upstream-set":"all"}',
        )
        yield province, campuses
    finally:
        for campus in campuses:
            for user in (campus.campus_id, campus.link_user):
                infra.rabbitmqctl("delete_user", user, check=False)
            infra.delete_vhost(campus.vhost)
            infra.drop_database(campus.db_name)
        infra.delete_vhost(province.vhost)
        infra.drop_database(province.db_name)


def _seed(campus: Campus) -> None:
    engine = make_engine(campus.db_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            commands.load_seed_campaign(session)
            units = session.scalars(select(CampaignUnit)).all()
            seed_grid_units(session, {u.unit_code: u.name for u in units})
    finally:
        engine.dispose()


class Installation:
    """A campus as its reporting worker and web app would act: hazard events through its
    real handlers, tables submitted through its command, each in one transaction."""

    def __init__(self, campus: Campus) -> None:
        self.campus = campus
        self.settings = campus.settings()
        self.engine = make_engine(campus.db_url)
        self.factory = make_session_factory(self.engine)
        self.handlers = make_handlers("reporting", self.settings)

    def hazards(self, prefix: str, found: int, closed: int, severity: str = "general") -> None:
        events = []
        for n in range(found):
            hazard_id = f"{prefix}-{n}"
            events.append(hazard_event("hazard.created", 1, hazard_id, severity=severity))
            if n < closed:
                events.append(self.closed(hazard_id, severity, day=15))
        with self.factory() as session:
            feed(session, self.handlers, events)

    def close(self, hazard_id: str, day: int) -> None:
        with self.factory() as session:
            feed(session, self.handlers, [self.closed(hazard_id, "general", day)])

    @staticmethod
    def closed(hazard_id: str, severity: str, day: int):
        return hazard_event(
            "hazard.closed",
            2,
            hazard_id,
            severity=severity,
            status="closed",
            closed_at=datetime(2021, 11, day, 4, tzinfo=UTC),
        )

    def submit_all(self, due_index: int, at: datetime) -> None:
        with unit_of_work(self.factory) as session:
            due = session.scalars(select(ReportingDue).order_by(ReportingDue.due_on)).all()[
                due_index
            ]
            link = province_link(self.settings)
            for unit in sorted(session.scalars(select(CampaignUnit.unit_code))):
                commands.submit(session, OFFICE, due.campaign_id, due.id, unit, at, TZ, link)

    def sent(self) -> set[str]:
        with self.factory() as session:
            return set(session.scalars(select(ProvinceOutboxMessage.message_id)))

    def unsent(self) -> int:
        with self.factory() as session:
            rows = session.scalars(
                select(ProvinceOutboxMessage).where(ProvinceOutboxMessage.published_at.is_(None))
            )
            return len(rows.all())


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
    colleges = {c.campus_id: c.name for c in campuses}
    processes.spawn(
        "province-worker",
        [sys.executable, "-m", "services.province.worker"],
        {
            **os.environ,
            "PROVINCE_DATABASE_URL": province.db_url,
            "CAMPUS_AMQP_URL": province.url,
            "PROVINCE_COLLEGES": json.dumps(colleges, ensure_ascii=False),
            "CAMPUS_LOG_FORMAT": "text",
        },
    )
    for campus in campuses:
        processes.worker(
            "reporting",
            {
                **os.environ,
                "REPORTING_DATABASE_URL": campus.db_url,
                "CAMPUS_AMQP_URL": campus.guest_url,
                "CAMPUS_ID": campus.campus_id,
                "CAMPUS_PROVINCE_PUBLISH": "1",
                "CAMPUS_PROVINCE_AMQP_URL": campus.user_url,
                "CAMPUS_LOG_FORMAT": "text",
            },
            "--relay-only",
        )
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
    _cut_link(campuses[0])
    a.close("a-2", day=25)
    a.submit_all(1, datetime(2021, 12, 1, 2, tzinfo=UTC))
    buffered = f"federation: {OUT_EXCHANGE} -> "
    wait_until(
        lambda: (
            a.unsent() == 0
            and any(
                line.startswith(buffered) and int(line.rsplit("\t", 1)[1]) > 0
                for line in _ctl("list_queues", "-q", "-p", campuses[0].vhost, "name", "messages")
                .strip()
                .splitlines()
            )
        ),
        timeout=30,
        interval=0.5,
        message="A's messages waiting in A's broker while the link is down",
    )
    assert closed_of(campuses[0]) == 2  # the province still has the old figure
    _grant_link(campuses[0])
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
