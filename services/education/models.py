"""Tables of the education service: activities with their targets, enrolments and
check-ins, drill results and the problems they found, themed dates, and the restricted
psychological follow-up ledger with its access log."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db import UTCDateTime, new_metadata
from shared.grid_projection import GridProjectionBase
from shared.timeutil import utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = new_metadata()


class Activity(Base):
    """An education activity: lecture, drill, case education, hands-on, mental-health course,
    themed event; for target units or classes, at a venue, organised by a unit."""

    __tablename__ = "activities"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    organiser_unit: Mapped[str] = mapped_column(String(32), index=True)
    venue: Mapped[str | None] = mapped_column(String(200))
    venue_key: Mapped[str | None] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    participants: Mapped[int | None] = mapped_column(Integer)
    # A drill: the emergency plan (应急预案) it exercises, in the hazards register (no call:
    # drill.completed carries it and the hazard ledger marks the plan drilled).
    plan_id: Mapped[str | None] = mapped_column(String(36))
    sign_in_code: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)  # = sequence of its latest event
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    targets: Mapped[list[ActivityTarget]] = relationship(
        cascade="all, delete-orphan", order_by="ActivityTarget.id", lazy="selectin"
    )

    __table_args__ = (
        Index("ix_activities_venue_time", "venue_key", "starts_at"),
        Index("ix_activities_starts_at", "starts_at"),
    )

    @property
    def target_units(self) -> list[str]:
        return list(dict.fromkeys(t.unit_code for t in self.targets))


class ActivityTarget(Base):
    """A target of an activity: a whole unit (class_name NULL) or one of its classes."""

    __tablename__ = "activity_targets"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    class_name: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_activity_targets_activity", "activity_id"),)


class Enrolment(Base):
    """A person enrolled in an activity; checked in at most once (checked_in_at)."""

    __tablename__ = "enrolments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    person_ref: Mapped[str] = mapped_column(String(64))  # 学号 / 工号
    name: Mapped[str] = mapped_column(String(50))
    unit_code: Mapped[str] = mapped_column(String(32))
    class_name: Mapped[str | None] = mapped_column(String(64))
    enrolled_by: Mapped[str] = mapped_column(String(64))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("activity_id", "person_ref", name="uq_enrolments_activity_person"),
        Index("ix_enrolments_unit", "unit_code"),
    )


class DrillResult(Base):
    """The results of a drill (安全演练): participants, evacuation time, observations."""

    __tablename__ = "drill_results"

    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"), primary_key=True)
    participants: Mapped[int] = mapped_column(Integer)
    evacuation_seconds: Mapped[int | None] = mapped_column(Integer)
    observations: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DrillProblem(Base):
    """A problem a drill revealed; announced as drill.problem_found, and the hazard ledger's
    hazard for it comes back through hazard.* events (hazard_number, hazard_status)."""

    __tablename__ = "drill_problems"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"), index=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    cell_id: Mapped[str | None] = mapped_column(String(36))
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Filled from the hazard ledger's events (source "drill", source_ref = this id).
    hazard_id: Mapped[str | None] = mapped_column(String(64))
    hazard_number: Mapped[str | None] = mapped_column(String(32))
    hazard_status: Mapped[str | None] = mapped_column(String(16))
    hazard_sequence: Mapped[int | None] = mapped_column(Integer)
    # The caller-scoped Idempotency-Key of the request that added it (POST …/problems).
    request_key: Mapped[str | None] = mapped_column(String(200), index=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))


class ThemedDate(Base):
    """A date range of a campaign (or any local theme) to plan education around."""

    __tablename__ = "themed_dates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    name: Mapped[str] = mapped_column(String(100))
    theme: Mapped[str | None] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    suggested_kinds: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("name", "starts_on", name="uq_themed_dates_name_start"),)


# -- 动态教育防范台账: restricted to the psychological health centre --------------------------
class PsychRecord(Base):
    """A student flagged by psychological screening and followed up (排查干预校正).

    Personal and sensitive: only the psych centre reads or writes it; it never leaves this
    table in an event, a log line or a list export; every read is in psych_access_log.
    """

    __tablename__ = "psych_records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    student_ref: Mapped[str] = mapped_column(String(64))
    student_name: Mapped[str] = mapped_column(String(50))
    class_name: Mapped[str | None] = mapped_column(String(64))
    risk_level: Mapped[str] = mapped_column(String(16))
    screening: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="following")
    next_follow_up_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    interventions: Mapped[list[PsychIntervention]] = relationship(
        cascade="all, delete-orphan", order_by="PsychIntervention.happened_on", lazy="selectin"
    )


class PsychIntervention(Base):
    """An intervention or follow-up of a record: what was done, when, by whom."""

    __tablename__ = "psych_interventions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    record_id: Mapped[str] = mapped_column(ForeignKey("psych_records.id"), index=True)
    happened_on: Mapped[date] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(Text)
    by_name: Mapped[str] = mapped_column(String(50))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PsychAccessLog(Base):
    """Who touched which psych record when (reads included). Append-only; no content."""

    __tablename__ = "psych_access_log"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    record_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(16))  # read | list | create | update | intervene
    actor: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(100))
    request_id: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PlanCopy(Base):
    """Hazards' emergency plans (应急预案) as education knows them, fed only by
    ``emergency_plan.changed`` (newest sequence wins): a drill against a withdrawn plan is
    refused. No personal data."""

    __tablename__ = "emergency_plan_projection"

    plan_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    last_sequence: Mapped[int] = mapped_column(Integer)


# The tables this service's migrations create (checked against them in tests/contract):
# its own and its copy of the grid (fed by grid events).
SCHEMA = [Base.metadata, GridProjectionBase.metadata]
