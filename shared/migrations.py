"""Alembic, driven from code: each service keeps its own migrations directory.

``services/<name>/migrations/env.py`` calls :func:`run_env` with the service's
metadata plus the outbox/inbox tables every service database carries.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData

from shared.db import make_engine

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"


def alembic_config(service: str, database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(service: str, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(service, database_url), revision)


def with_event_tables(service_metadata: list[MetaData]) -> list[MetaData]:
    """A service's tables plus the outbox, inbox and revocation tables every service
    database carries."""
    import shared.events.inbox  # noqa: F401  (registers the inbox table)
    import shared.events.outbox  # noqa: F401  (registers the outbox table)
    import shared.revocation_store  # noqa: F401  (registers the revocation tables)
    from shared.db import EventTablesBase

    return [*service_metadata, EventTablesBase.metadata]


def run_env(service_metadata: list[MetaData]) -> None:
    """Body of every service's env.py (online mode only: migrations need a database)."""
    target_metadata = with_event_tables(service_metadata)
    url = context.config.attributes["database_url"]
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=url.startswith("sqlite"),
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
    finally:
        engine.dispose()
