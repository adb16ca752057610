"""Tables of the reporting and accountability service."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, new_metadata, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()


class HazardProjection(Base):
    """Local copy of each hazard's latest state, fed only by hazard.* events."""

    __tablename__ = "hazard_projection"

    hazard_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    cell_id: Mapped[str | None] = mapped_column(String(36))
    category: Mapped[str] = mapped_column(String(32))
    lead_department: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responsible_person_id: Mapped[str | None] = mapped_column(String(36))
    responsible_person_name: Mapped[str | None] = mapped_column(String(50))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    last_sequence: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
