"""Integration tests: the real PostgreSQL and RabbitMQ of this machine."""

from __future__ import annotations

from datetime import date

import pytest

from services.hazards import commands
from services.hazards.domain import Action
from shared.db import make_session_factory
from shared.principal import SECURITY_OFFICE, Principal

pytestmark = pytest.mark.integration

OFFICE = Principal("so-1", "安全保卫处", frozenset({SECURITY_OFFICE}), None)
UNITS = ("JD", "XX", "CW")


def produce_hazard_events(engine, created: int, registered: int, chunk: int = 250) -> None:
    """Commit ``created`` hazard.created and ``registered`` hazard.registered events."""
    factory = make_session_factory(engine)
    ids: list[str] = []
    for start in range(0, created, chunk):
        with factory.begin() as session:
            for i in range(start, min(created, start + chunk)):
                hazard = commands.create_hazard(
                    session, OFFICE, unit_code=UNITS[i % 3], category="fire", description=f"#{i}"
                )
                ids.append(hazard.id)
    for start in range(0, registered, chunk):
        with factory.begin() as session:
            for hazard_id in ids[start : min(registered, start + chunk)]:
                commands.transition(
                    session, OFFICE, hazard_id, Action.REGISTER, {"deadline": date(2030, 1, 1)}
                )


def ledger_counts(databases) -> list[tuple]:
    return databases.rows(
        "hazards",
        "SELECT unit_code, status, count(*) FROM hazards GROUP BY 1, 2 ORDER BY 1, 2",
    )


def projection_counts(databases) -> list[tuple]:
    return databases.rows(
        "reporting",
        "SELECT unit_code, status, count(*) FROM hazard_projection GROUP BY 1, 2 ORDER BY 1, 2",
    )


def unsent(databases) -> int:
    return databases.scalar("hazards", "SELECT count(*) FROM outbox WHERE published_at IS NULL")


def inbox_size(databases) -> int:
    return databases.scalar("reporting", "SELECT count(*) FROM inbox")
