"""Each service's Alembic migrations create exactly the tables, columns, types, indexes and
constraints its models declare: a model change without its migration fails here, not in
production on the first request that touches the new column."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.registry import SERVICES
from shared.db import make_engine
from shared.migrations import upgrade, with_event_tables


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_migrations_match_the_models(service, dialect, tmp_path, request):
    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / f'{service}.db'}"
        upgrade(service, url)
    else:
        url = request.getfixturevalue("pg").urls[service]  # migrated once per session
    schema = importlib.import_module(f"services.{service}.models").SCHEMA
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, with_event_tables(schema))
    finally:
        engine.dispose()
    assert differences == [], f"{service} models differ from its migrations: {differences}"
