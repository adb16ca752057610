"""Tables of the hazard ledger service."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, new_metadata, utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


BigId = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    metadata = new_metadata()


class Hazard(Base):
    __tablename__ = "hazards"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    cell_id: Mapped[str | None] = mapped_column(String(36), index=True)
    category: Mapped[str] = mapped_column(String(32))
    lead_department: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    found_by: Mapped[str] = mapped_column(String(64))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Resolved from the grid projection as of the finding date (who answers for the place).
    responsible_person_id: Mapped[str | None] = mapped_column(String(36))
    responsible_person_name: Mapped[str | None] = mapped_column(String(50))
    deadline: Mapped[date | None] = mapped_column(Date)
    # 四落实 and, for hazards that cannot be fixed quickly, the rectification plan.
    remediation_person: Mapped[str | None] = mapped_column(String(50))
    measures: Mapped[str | None] = mapped_column(Text)
    contingency_plan: Mapped[str | None] = mapped_column(Text)
    quick_fix: Mapped[bool] = mapped_column(Boolean, default=True)
    rectification_plan: Mapped[str | None] = mapped_column(Text)
    interim_measures: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    # Where the hazard came from: report | inspection | drill | equipment, and its id there.
    source: Mapped[str] = mapped_column(String(16), default="report")
    source_ref: Mapped[str | None] = mapped_column(String(64))
    overdue_notified_for: Mapped[date | None] = mapped_column(Date)
    major_unresolved_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)  # = sequence of its latest event
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("source", "source_ref", name="uq_hazards_source_ref"),)


class HazardTransition(Base):
    """Who moved a hazard from which stage to which, when and why (append-only)."""

    __tablename__ = "hazard_transitions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hazard_id: Mapped[str] = mapped_column(ForeignKey("hazards.id"), index=True)
    action: Mapped[str] = mapped_column(String(32), default="create")
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str | None] = mapped_column(String(50))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HazardNumberCounter(Base):
    """Last serial used per year; incremented in the creating transaction (gap-free)."""

    __tablename__ = "hazard_number_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)


class ExtensionRequest(Base):
    """延期申请: a new deadline asked for, approved or refused."""

    __tablename__ = "extension_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    hazard_id: Mapped[str] = mapped_column(ForeignKey("hazards.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_deadline: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Attachment(Base):
    """A photo or document of a hazard; the bytes live outside the database, by hash."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    hazard_id: Mapped[str] = mapped_column(ForeignKey("hazards.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdempotencyKey(Base):
    """A portal's Idempotency-Key and the hazard its first request created."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "<sub>:<key>"
    request_hash: Mapped[str] = mapped_column(String(64))
    hazard_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
