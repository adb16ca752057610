"""Engine, session factory and the unit of work shared by every service.

SQLite (the local default) is put in WAL mode with a busy timeout, because the web
process and the worker process of one service write the same file concurrently.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


class EventTablesBase(DeclarativeBase):
    """Base of the outbox, inbox and revocation tables, which every service's database
    carries."""

    metadata = new_metadata()


READ_ONLY = "campus_read_only"  # execution option of engines that only ever read


def make_engine(url: str, *, ping_after_idle: float | None = None, **kwargs) -> Engine:
    """An engine for ``url``. PostgreSQL connections are pinged before use: on every
    checkout by default, or with ``ping_after_idle`` only after that many idle seconds."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            # Let SQLAlchemy, not pysqlite, issue BEGIN, so SAVEPOINTs work.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:
            # IMMEDIATE takes the write lock up front: a deferred transaction that reads
            # and then writes fails at once when another process committed in between.
            # Read-only sessions (shared.api.read_session) need no lock: WAL readers never
            # block the writer.
            read_only = conn.get_execution_options().get(READ_ONLY, False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    if ping_after_idle is None:
        return create_engine(url, pool_pre_ping=True, **kwargs)
    engine = create_engine(url, **kwargs)
    _ping_connections_idle_for(engine, ping_after_idle)
    return engine


def _ping_connections_idle_for(engine: Engine, seconds: float) -> None:
    """Ping a pooled connection at checkout only if it sat idle longer than ``seconds``.

    A ping on every checkout is one more round trip per request; a busy web process
    reuses its connections within milliseconds and never pays it, while a connection
    that idled through a database restart is found dead here and replaced before the
    request uses it (the pool retries checkout on DisconnectionError).
    """

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn, record) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise sa_exc.DisconnectionError(str(exc)) from exc


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def row_values(obj: object) -> dict[str, Any]:
    """The row a new mapped object becomes, by column name, its Python-side column
    defaults filled in on the object too (so that it matches the row without a reload).
    An autoincrement key left unset is left out: the database assigns it."""
    values: dict[str, Any] = {}
    given = obj.__dict__
    for key, name, default, generated in _columns_of(type(obj)):
        if key not in given:
            if generated:
                continue
            value = default(None) if callable(default) else default  # wrapped: takes a context
            setattr(obj, key, value)
        values[name] = given[key]
    return values


@cache
def _columns_of(cls: type) -> list[tuple[str, str, Any, bool]]:
    """Per mapped class: attribute, column name, Python default, database-generated key."""
    columns = []
    for prop in inspect(cls).column_attrs:
        column = prop.columns[0]
        default = None if column.default is None else column.default.arg
        generated = column.default is None and column.primary_key and column.autoincrement is True
        columns.append((prop.key, column.name, default, generated))
    return columns


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
