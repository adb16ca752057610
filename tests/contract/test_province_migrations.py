"""The province installation's migrations create exactly the tables its models declare
(it is a service of its own, outside ``services.registry.SERVICES``), on both dialects."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.province.models import SCHEMA
from shared.db import make_engine
from shared.migrations import upgrade, with_event_tables
from tests.support import infra


def _differences(url: str) -> list:
    upgrade("province", url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, with_event_tables(SCHEMA))
    finally:
        engine.dispose()


def test_province_migrations_match_its_models_on_sqlite(tmp_path):
    assert _differences(f"sqlite:///{tmp_path / 'province.db'}") == []


@pytest.mark.integration
def test_province_migrations_match_its_models_on_postgresql():
    name = f"cs_test_province_{uuid.uuid4().hex[:8]}"
    infra.create_database(name)
    try:
        assert _differences(infra.sqlalchemy_url(name)) == []
    finally:
        infra.drop_database(name)
