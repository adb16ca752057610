"""The ledger's hot writes in as few round trips as the database allows.

On PostgreSQL a report (the hazard, its lead departments, its first transition, its
outbox event, its number) and a step of the loop (the hazard's changes, the transition,
the outbox event) are each one data-modifying CTE statement: the database waits on the
round trips, not on the rows (bench/README.md, ``profile_writes.py``). Foreign keys are
checked at the end of the statement, so parents and children may be written together.
The statement's text is written here from the rows' columns (NULLs left to the column's
default), not built as a SQLAlchemy expression per request: the same shape gives the same
text, which psycopg parses once and PostgreSQL prepares once. SQLite (the embedded
default) gets the ORM's flush. This module is the one place that tells them apart.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import Dialect, Table, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeEngine

from services.hazards import domain
from services.hazards.commands.numbering import assign_number
from services.hazards.models import Hazard, HazardNumberCounter
from shared.db import row_values
from shared.events.outbox import OutboxMessage
from shared.timeutil import utcnow


def _in_one_statement(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def write_numbered(session: Session, hazard: Hazard, rows: list[object], year: int) -> None:
    """Write a new hazard (its number still ``pending_number()``), its lead departments and
    ``rows`` (its transition, its outbox event), and give it its gap-free number, as the
    transaction's last writes; the stand-in is replaced wherever it was written.

    PostgreSQL: one statement, after which the hazard and its leads are persistent in the
    session as if flushed. SQLite: a flush, then ``assign_number``.
    """
    session.flush()  # what the transaction wrote before stays first (outbox order)
    if not _in_one_statement(session):
        session.add(hazard)
        session.add_all(rows)
        event_ids = [row.event_id for row in rows if isinstance(row, OutboxMessage)]
        assign_number(session, hazard, year, event_ids[0])
        return
    for lead in hazard.leads:
        lead.hazard_id = hazard.id
    sql = _Statement(session.get_bind().dialect)
    sql.insert_numbered(hazard, [*hazard.leads, *rows], year)
    hazard.number = sql.run(session).scalar_one()
    for lead in hazard.leads:
        make_transient_to_detached(lead)
    make_transient_to_detached(hazard)
    session.add(hazard)  # persistent, nothing left to flush; its leads with it


def write_step(session: Session, hazard: Hazard, rows: list[object]) -> None:
    """Write a step of the loop: the hazard's changes (set on it, not yet flushed) and
    ``rows`` (its transition, its outbox event).

    PostgreSQL, when nothing else waits to be flushed: one statement, after which the
    hazard is clean in the session. Otherwise the rows join the session's next flush,
    after what was added before them (outbox order)."""
    others = session.new or any(other is not hazard for other in session.dirty)
    if others or not _in_one_statement(session):
        session.add_all(rows)
        return
    changes = _changes(hazard)
    sql = _Statement(session.get_bind().dialect)
    sql.update(Hazard.__table__, changes, hazard.id)
    for row in rows:
        sql.insert(row.__table__, row_values(row))  # type: ignore[attr-defined]
    with session.no_autoflush:  # the changes are this statement's, not a flush's
        sql.run(session)
    for key, value in changes.items():
        set_committed_value(hazard, _attribute(key), value)


def _changes(hazard: Hazard) -> dict[str, Any]:
    """The hazard's changed columns by name, ``updated_at`` stamped as the ORM would."""
    state = inspect(hazard)
    hazard.updated_at = utcnow()
    columns = _column_names()
    changes = {}
    for key in list(state.committed_state):  # the attributes set since loaded
        if key in columns and state.attrs[key].history.added:
            changes[columns[key]] = getattr(hazard, key)
    return changes


@cache
def _column_names() -> dict[str, str]:
    """The hazard's column attributes and their columns' names."""
    return {prop.key: prop.columns[0].name for prop in Hazard.__mapper__.column_attrs}


def _attribute(column: str) -> str:
    return Hazard.__mapper__.get_property_by_column(Hazard.__table__.c[column]).key


@cache
def _processor(column_type: TypeEngine, dialect: Dialect) -> Callable[[Any], Any] | None:
    return column_type.bind_processor(dialect)


def _quoted(names: list[str]) -> list[str]:
    return [f'"{name}"' for name in names]


class _Statement:
    """One WITH statement of INSERTs and UPDATEs, the last part its main statement. Its
    values are bound as the ORM binds them (each column type's bind processor: UTC for the
    timestamps), an equal value once."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.parts: list[str] = []
        self.params: dict[str, Any] = {}
        self._names: dict[tuple[type, Any], str] = {}
        self.returning = ""

    def bind(self, value: Any) -> str:
        try:
            key = (type(value), value)
            name = self._names.setdefault(key, f"p{len(self._names)}")
        except TypeError:  # unhashable (a JSON value): a parameter of its own
            name = f"p{len(self._names)}"
            self._names[(object, name)] = name
        self.params[name] = value
        return f"%({name})s"

    def bound(self, table: Table, name: str, value: Any) -> str:
        processor = _processor(table.c[name].type, self.dialect)
        return self.bind(processor(value) if processor else value)

    def insert(self, table: Table, values: dict[str, Any], **expressions: str) -> None:
        """INSERT a row; ``expressions`` give SQL for some columns instead of a value."""
        given = {name: value for name, value in values.items() if value is not None}
        columns = [*given, *(name for name in expressions if name not in given)]
        sql = [
            expressions[name] if name in expressions else self.bound(table, name, given[name])
            for name in columns
        ]
        self.parts.append(
            f"INSERT INTO {table.name} ({', '.join(_quoted(columns))}) VALUES ({', '.join(sql)})"
        )

    def update(self, table: Table, values: dict[str, Any], row_id: str) -> None:
        changes = ", ".join(
            f'"{name}" = {self.bound(table, name, value)}' for name, value in values.items()
        )
        self.parts.append(f"UPDATE {table.name} SET {changes} WHERE id = {self.bind(row_id)}")

    def insert_numbered(self, hazard: Hazard, rows: list[object], year: int) -> None:
        """The year's counter (locked until commit), the hazard numbered from it, then the
        rows, the hazard's stand-in number replaced wherever they carry it."""
        counter = HazardNumberCounter.__tablename__
        self.parts.append(
            f"INSERT INTO {counter} (year, last_serial) VALUES ({self.bind(year)}, 1) "
            f"ON CONFLICT (year) DO UPDATE SET last_serial = {counter}.last_serial + 1 "
            "RETURNING last_serial"
        )
        digits = "serial.last_serial::text"
        width = self.bind(domain.NUMBER_WIDTH)
        number = (
            f"(SELECT {self.bind(domain.number_prefix(year))} || "
            f"lpad({digits}, greatest({width}, length({digits})), '0') FROM serial)"
        )
        self.insert(Hazard.__table__, row_values(hazard) | {"number": None}, number=number)
        self.parts[-1] += " RETURNING number"
        pending, final = self.bind(hazard.number), "(SELECT number FROM numbered)"
        for row in rows:
            values = row_values(row)
            table = row.__table__  # type: ignore[attr-defined]
            replaced = {
                name: f"replace({self.bound(table, name, value)}, {pending}, {final})"
                for name, value in values.items()
                if isinstance(value, str) and hazard.number in value
            }
            self.insert(table, values, **replaced)
        self.returning = "SELECT number FROM numbered"

    def run(self, session: Session):
        """Execute it: the parts as CTEs serial, numbered (if numbering), then row<i>."""
        names = ["serial", "numbered"] if self.returning else []
        parts, main = (
            (self.parts, self.returning) if self.returning else (self.parts[:-1], self.parts[-1])
        )
        names += [f"row{i}" for i in range(len(parts) - len(names))]
        ctes = ",\n".join(f"{name} AS ({part})" for name, part in zip(names, parts, strict=True))
        return session.connection().exec_driver_sql(f"WITH {ctes}\n{main}", self.params)
