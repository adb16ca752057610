"""shared.projections.upsert_newer: newest sequence wins, and it says whether it wrote."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared.db import make_engine, new_metadata
from shared.projections import _upsert_statement, upsert_newer
from tests.support import infra


class _Base(DeclarativeBase):
    metadata = new_metadata()


class Thing(_Base):
    __tablename__ = "things"

    thing_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    last_sequence: Mapped[int] = mapped_column(Integer)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'things.db'}")
        yield engine
        engine.dispose()
        return
    name = f"cs_test_projections_{uuid.uuid4().hex[:8]}"
    try:
        infra.create_database(name)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    engine = make_engine(infra.sqlalchemy_url(name))
    try:
        yield engine
    finally:
        engine.dispose()
        infra.drop_database(name)


def test_upsert_newer_reports_whether_the_event_was_applied(engine):
    _Base.metadata.create_all(engine)
    with Session(engine) as session:

        def put(name: str, sequence: int) -> bool:
            values = {"thing_id": "t-1", "name": name, "ignored": "not a column"}
            return upsert_newer(session, Thing, "thing_id", values, sequence)

        assert put("created", 1) is True  # inserted
        assert put("renamed", 3) is True  # newer: updated
        assert put("stale", 2) is False  # older than the row: ignored
        assert put("duplicate", 3) is False  # the same sequence again: ignored
        assert session.execute(select(Thing.name, Thing.last_sequence)).one() == ("renamed", 3)
        assert put("newest", 4) is True
        session.commit()
        assert session.execute(select(Thing.name, Thing.last_sequence)).one() == ("newest", 4)
    # The statement is still built once per shape (cached), whatever its result.
    dialect = engine.dialect.name
    columns = ("last_sequence", "name", "thing_id")
    assert _upsert_statement(Thing.__table__, "thing_id", columns, dialect) is _upsert_statement(
        Thing.__table__, "thing_id", columns, dialect
    )
