"""Producers and consumers agree on the catalogue."""

from __future__ import annotations

import json

from services.registry import SERVICES, make_handlers, subscriptions
from shared.config import Settings
from shared.events.catalog import CATALOG, event_types
from shared.events.envelope import Envelope


def test_every_handled_type_is_catalogued():
    for service in SERVICES:
        handlers = make_handlers(service, Settings(service=service, database_url="sqlite://"))
        unknown = set(handlers) - event_types()
        assert not unknown, f"{service} handles uncatalogued events {unknown}"


def test_every_catalogued_type_has_a_subscriber():
    # The relay publishes with `mandatory`: a type nobody is bound to would come back.
    bound = {t for types in subscriptions().values() for t in types}
    assert event_types() <= bound, f"no queue bound for {event_types() - bound}"


def test_what_the_hazard_service_writes_is_what_reporting_reads(tmp_path):
    from services.hazards import commands
    from services.hazards.models import Hazard
    from shared.db import make_engine, make_session_factory
    from shared.events.outbox import OutboxMessage
    from shared.principal import SECURITY_OFFICE, Principal
    from tests.support.databases import migrated_sqlite
    from tests.support.workflow import close_via_commands

    url = migrated_sqlite("hazards", tmp_path / "h.db")
    factory = make_session_factory(make_engine(url))
    office = Principal("so", "so", frozenset({SECURITY_OFFICE}), None)
    with factory.begin() as session:
        hazard = commands.create_hazard(
            session, office, unit_code="JD", category="lab_chemicals", description="气瓶未固定"
        )
    with factory.begin() as session:
        close_via_commands(session, hazard.id, "JD")
    with factory() as session:
        bodies = [row.body for row in session.query(OutboxMessage).order_by(OutboxMessage.id)]
        assert session.get(Hazard, hazard.id).version == len(bodies)
    envelopes = [Envelope.from_json(body) for body in bodies]
    assert [e.type for e in envelopes][:2] == ["hazard.created", "hazard.registered"]
    assert envelopes[-1].type == "hazard.closed"
    assert [e.sequence for e in envelopes] == list(range(1, len(envelopes) + 1))
    for envelope in envelopes:
        assert (envelope.type, envelope.version) in CATALOG
        assert envelope.type in subscriptions()["reporting"]
        assert json.loads(envelope.to_json())["source"] == "hazards"
