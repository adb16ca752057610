"""Tables of the grid service: units, people, the cell tree, assignments with history."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, new_metadata
from shared.timeutil import utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = new_metadata()


class Unit(Base):
    """组织单位: a secondary college (二级学院), an office (机关处室), …"""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Person(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(24))
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    staff_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    student_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    # Roles of the person's sign-in token (shared.principal.ROLES), set by the security office.
    roles: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # werkzeug.security hash (scrypt by default); None: the person cannot sign in.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SignInName(Base):
    """One namespace of sign-in names: a person's id, staff number (工号) and student
    number (学号) each name one person only, across all three (services/grid/login.py
    resolves a login by any of them). The primary key holds the rule in the database,
    under concurrent writes too; services.grid.commands keeps the rows in step."""

    __tablename__ = "sign_in_names"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)


class Cell(Base):
    """A grid cell: level 1 the college, level 2 a unit, level 3+ places."""

    __tablename__ = "cells"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("cells.id"), index=True)
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), index=True)
    area_type: Mapped[str] = mapped_column(String(16))
    location: Mapped[str | None] = mapped_column(String(200))
    # 停用: the place is gone (building demolished, lab closed) from this campus date on; it
    # stays in the tree for history (hazards and assignments name it) but takes nothing new.
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Assignment(Base):
    """A person in a role for a cell during [effective_from, effective_to). Never overwritten."""

    __tablename__ = "assignments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    cell_id: Mapped[str] = mapped_column(ForeignKey("cells.id"))
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_assignments_cell_role", "cell_id", "role"),)


class LoginAttempt(Base):
    """One sign-in attempt (failures kept a day, a success per account and address 30 days:
    the addresses a person signs in from): the rate limits count recent failures per person
    (``person_id``; per typed ``login`` when it names nobody) and per client address across
    every web worker (see services/grid/login.py). Recorded as a failure before the
    password is checked, turned into a success after."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(64), index=True)
    # The person the login named (staff number, student number and id count as one).
    person_id: Mapped[str | None] = mapped_column(String(36), index=True)
    ip: Mapped[str] = mapped_column(String(45), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class BackgroundCheck(Base):
    """A background check of a person of the grid (入职查询、资格审查…): restricted to the
    security office and the personnel department (services/grid/checks/access.py); every
    read is in background_check_access_log; no text of it ever leaves in an event."""

    __tablename__ = "background_checks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    checked_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(16))
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class BackgroundCheckAccessLog(Base):
    """Who read or changed which person's checks when. Append-only; no content."""

    __tablename__ = "background_check_access_log"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    check_id: Mapped[str | None] = mapped_column(String(36), index=True)
    person_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(16))  # list | read | create | update
    actor: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(100))
    request_id: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ResponsibilityLetter(Base):
    """安全责任书 (一岗双责): the letter of one post (an assignment) for one year, signed on a
    day; its signed scan (PDF, JPEG or PNG) stored by content hash (shared.files), attached
    when recorded or after."""

    __tablename__ = "responsibility_letters"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    signed_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the signed scan (None until attached)
    sha256: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    uploaded_by: Mapped[str | None] = mapped_column(String(64))
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("assignment_id", "year"),)


# The tables this service's migrations create (checked against them in tests/contract).
SCHEMA = [Base.metadata]
