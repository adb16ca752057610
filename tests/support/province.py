"""Issue 19's federation on this machine, for the end-to-end test and bench/province.py:
campus installations (own vhost, reporting database, broker users) and a province (own vhost
and database) linked by RabbitMQ's federation plugin, and a campus acting as its reporting
service would (hazard events through its handlers, tables through its command)."""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from sqlalchemy import select

from services.registry import make_handlers
from services.reporting import commands
from services.reporting.models import CampaignUnit, ReportingDue
from services.reporting.province.link import province_link
from services.reporting.province.models import ProvinceOutboxMessage
from shared.config import load_settings
from shared.db import make_engine, make_session_factory, unit_of_work
from shared.events.province import OUT_EXCHANGE
from shared.migrations import upgrade
from shared.principal import SECURITY_OFFICE, Principal
from tests.support import infra
from tests.support.events import feed
from tests.support.reporting import hazard_event, seed_grid_units

OFFICE = Principal("office", "安全保卫处", frozenset({SECURITY_OFFICE}), None)
TZ = "Asia/Shanghai"
NAMES = ("兰州现代职业学院", "甘肃交通职业技术学院", "兰州职业技术学院")
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


def ctl(*args: str) -> str:
    return infra.rabbitmqctl(*args)


def upstream(province: Province, campus: Campus) -> None:
    uri = f"amqp://{campus.link_user}:{campus.password}@{HOST}/{quote(campus.vhost, safe='')}"
    value = {
        "uri": uri,
        "exchange": OUT_EXCHANGE,
        "trust-user-id": True,
        "ack-mode": "on-confirm",
        "reconnect-delay": 1,
        "expires": 1209600000,
    }
    ctl(
        "set_parameter",
        "-p",
        province.vhost,
        "federation-upstream",
        campus.campus_id,
        json.dumps(value),
    )


def grant_link(campus: Campus) -> None:
    ctl("set_permissions", "-p", campus.vhost, campus.link_user, *LINK_PERMISSIONS)


def cut_link(campus: Campus) -> None:
    """The link goes down as on a network failure: the link user loses its rights and its
    connection is closed; the federation keeps retrying, the campus broker keeps its queue."""
    ctl("clear_permissions", "-p", campus.vhost, campus.link_user)
    for line in ctl("list_connections", "-q", "pid", "user").splitlines():
        pid, _, user = line.partition("\t")
        if user.strip() == campus.link_user:
            infra.rabbitmqctl("close_connection", pid, "link cut by test", check=False)


@contextmanager
def federated(prefix: str = "cs_test") -> Iterator[tuple[Province, list[Campus]]]:
    """Three campuses (vhost, reporting database, publishing and link users) and a
    province (vhost, database) linked by the federation plugin; all removed after."""
    tag = uuid.uuid4().hex[:6]
    province = Province(infra.create_vhost()[0], f"{prefix}_province_{tag}")
    campuses = [
        Campus(
            f"c{tag}-{n}",
            name,
            infra.create_vhost()[0],
            f"{prefix}_rep_{tag}_{n}",
            uuid.uuid4().hex,
        )
        for n, name in zip("abc", NAMES, strict=True)
    ]
    try:
        infra.create_database(province.db_name)
        upgrade("province", province.db_url)
        for campus in campuses:
            infra.create_database(campus.db_name)
            upgrade("reporting", campus.db_url)
            seed(campus)
            for user in (campus.campus_id, campus.link_user):
                ctl("add_user", user, campus.password)
            ctl(
                "set_permissions",
                "-p",
                campus.vhost,
                campus.campus_id,
                "^province\\.out$",
                "^province\\.out$",
                "^$",
            )
            grant_link(campus)
            upstream(province, campus)
        ctl(
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


def seed(campus: Campus) -> None:
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


def province_worker_args() -> list[str]:
    return [sys.executable, "-m", "services.province.worker"]


def province_env(province: Province, campuses: list[Campus]) -> dict[str, str]:
    return {
        **os.environ,
        "PROVINCE_DATABASE_URL": province.db_url,
        "CAMPUS_AMQP_URL": province.url,
        "PROVINCE_COLLEGES": json.dumps({c.campus_id: c.name for c in campuses}),
        "CAMPUS_LOG_FORMAT": "text",
    }


def campus_env(campus: Campus) -> dict[str, str]:
    """The reporting worker of ``campus`` with its province link on."""
    return {
        **os.environ,
        "REPORTING_DATABASE_URL": campus.db_url,
        "CAMPUS_AMQP_URL": campus.guest_url,
        "CAMPUS_ID": campus.campus_id,
        "CAMPUS_PROVINCE_PUBLISH": "1",
        "CAMPUS_PROVINCE_AMQP_URL": campus.user_url,
        "CAMPUS_LOG_FORMAT": "text",
    }
