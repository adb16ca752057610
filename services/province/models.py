"""Tables of the province installation: one row per college and aggregate, each holding
the newest ``sequence`` it applied (messages may come late, twice, or out of order)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, new_metadata
from shared.timeutil import utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()


class College(Base):
    """A college linked to the province: its campus id is its broker user's name."""

    __tablename__ = "colleges"

    campus_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CollegeTable(Base):
    """统计表: a college's frozen table for a province due date."""

    __tablename__ = "college_tables"

    campus_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign: Mapped[str] = mapped_column(String(64), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    late: Mapped[bool] = mapped_column(Boolean)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    totals: Mapped[dict[str, Any]] = mapped_column(JSON)
    last_sequence: Mapped[int] = mapped_column(Integer)


class CollegeFigures(Base):
    """A college's newest figures for a period of a campaign (the period's and cumulative)."""

    __tablename__ = "college_figures"

    campus_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign: Mapped[str] = mapped_column(String(64), primary_key=True)
    period_end: Mapped[date] = mapped_column(Date, primary_key=True)
    period_start: Mapped[date] = mapped_column(Date)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    last_sequence: Mapped[int] = mapped_column(Integer)


class CollegeBoard(Base):
    """报送情况: a college's newest submission board for a campaign (its units' counts)."""

    __tablename__ = "college_boards"

    campus_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign: Mapped[str] = mapped_column(String(64), primary_key=True)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())
    dues: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    last_sequence: Mapped[int] = mapped_column(Integer)


class MajorHazard(Base):
    """重大隐患 as the college announced it, newest state."""

    __tablename__ = "major_hazards"

    campus_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    place: Mapped[str | None] = mapped_column(String(100))
    responsible_unit: Mapped[str] = mapped_column(String(64))
    found_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(16))
    last_sequence: Mapped[int] = mapped_column(Integer)


class CollegeIncidents(Base):
    """安全事故: a college's newest incident counts."""

    __tablename__ = "college_incidents"

    campus_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())
    total: Mapped[int] = mapped_column(Integer)
    major: Mapped[int] = mapped_column(Integer)
    deaths: Mapped[int] = mapped_column(Integer)
    injuries: Mapped[int] = mapped_column(Integer)
    last_sequence: Mapped[int] = mapped_column(Integer)


class ProvincePerson(Base):
    """A member of the province's staff who signs in to its console (省教育厅); the province
    keeps its own people, as a college's grid keeps the college's."""

    __tablename__ = "province_people"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the login too
    name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(255))  # werkzeug scrypt
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProvinceLoginAttempt(Base):
    """A sign-in attempt, recorded as failed before its password is checked (login.py)."""

    __tablename__ = "province_login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(64), index=True)
    ip: Mapped[str] = mapped_column(String(45))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


SCHEMA = [Base.metadata]
