"""Tables of the security office's registers (hazards migration 0016): clues and their
hand-overs (restricted), joint inspections with outside agencies, patrol routes and patrols.

They sit on the hazard ledger's ``Base`` (one database, one migration chain) and are
imported at the end of ``services.hazards.models`` so its ``SCHEMA`` covers them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.hazards.models import Base, BigId
from shared.db import UTCDateTime
from shared.files import StoredFileColumns
from shared.timeutil import utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


# -- 线索摸排与移交: the security office's alone; never in an event, an export or a log line ---
class Clue(Base):
    """A clue (线索): recorded, verified (核实), handled in house or handed over to an outside
    agency (移交), followed up until its outcome (办结)."""

    __tablename__ = "clues"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    unit_code: Mapped[str | None] = mapped_column(String(32), index=True)  # the unit concerned
    content: Mapped[str] = mapped_column(Text)  # 线索内容
    origin: Mapped[str | None] = mapped_column(String(200))  # 线索来源
    received_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    verification: Mapped[str | None] = mapped_column(String(16))  # 属实 / 部分属实 / 不属实
    verification_note: Mapped[str | None] = mapped_column(Text)
    verified_on: Mapped[date | None] = mapped_column(Date)
    handling: Mapped[str | None] = mapped_column(String(16))  # in_house | handed_over
    handled_on: Mapped[date | None] = mapped_column(Date)
    handling_note: Mapped[str | None] = mapped_column(Text)
    receiving_agency: Mapped[str | None] = mapped_column(String(16))
    agency_name: Mapped[str | None] = mapped_column(String(100))
    receiving_officer: Mapped[str | None] = mapped_column(String(50))
    outcome: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # The day of its last step or follow-up: the to-do's clock (no follow-up in N days).
    last_activity_on: Mapped[date] = mapped_column(Date, index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ClueFollowUp(Base):
    """跟进: what was learnt or done about a clue on a day (append-only)."""

    __tablename__ = "clue_follow_ups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), index=True)
    happened_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    by_name: Mapped[str] = mapped_column(String(50))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ClueReceipt(StoredFileColumns, Base):
    """The receipt of a hand-over (回执), stored like a hazard's attachment (by hash)."""

    __tablename__ = "clue_receipts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), index=True)
    media_type: Mapped[str] = mapped_column(String(64))


class ClueAccessLog(Base):
    """Who touched which clue when (reads included). Append-only; no content."""

    __tablename__ = "clue_access_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    clue_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(100))
    request_id: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# -- 协同联动: joint inspections with outside agencies --------------------------------------
class JointInspection(Base):
    """A joint inspection (联合检查): the agencies, the day, the places visited, the members."""

    __tablename__ = "joint_inspections"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    inspected_on: Mapped[date] = mapped_column(Date, index=True)
    agencies: Mapped[list[str]] = mapped_column(JSON)
    members: Mapped[list[str]] = mapped_column(JSON)
    cell_ids: Mapped[list[str]] = mapped_column(JSON)  # the places visited, in order
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_by_name: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class JointFinding(Base):
    """A finding of a joint inspection and the hazard it opened (source joint_inspection,
    source_ref this row's id: the link back)."""

    __tablename__ = "joint_findings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("joint_inspections.id"), index=True)
    cell_id: Mapped[str] = mapped_column(String(36))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    hazard_id: Mapped[str] = mapped_column(ForeignKey("hazards.id"), index=True)
    hazard_number: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# -- 门卫值守、内部巡查: patrol routes and patrols ----------------------------------------------
class PatrolRoute(Base):
    """A patrol route: an ordered list of places, of one unit or (unit None) the office's."""

    __tablename__ = "patrol_routes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    name: Mapped[str] = mapped_column(String(100))
    unit_code: Mapped[str | None] = mapped_column(String(32), index=True)
    cell_ids: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Patrol(Base):
    """One run of a route on a day by a person; its places are copied when it starts, so a
    later edit of the route never changes what was walked."""

    __tablename__ = "patrols"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    route_id: Mapped[str] = mapped_column(ForeignKey("patrol_routes.id"), index=True)
    route_name: Mapped[str] = mapped_column(String(100))
    unit_code: Mapped[str | None] = mapped_column(String(32), index=True)
    cell_ids: Mapped[list[str]] = mapped_column(JSON)
    patrol_on: Mapped[date] = mapped_column(Date, index=True)
    runner: Mapped[str] = mapped_column(String(64), index=True)
    runner_name: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), index=True)  # running | finished
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    missed: Mapped[list[str] | None] = mapped_column(JSON)  # places not checked in, at finish
    missed_count: Mapped[int | None] = mapped_column(Integer)  # for the list's filter
    note: Mapped[str | None] = mapped_column(Text)


class PatrolCheckIn(Base):
    """A place checked in on a patrol (its QR code scanned), once per place."""

    __tablename__ = "patrol_check_ins"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    patrol_id: Mapped[str] = mapped_column(ForeignKey("patrols.id"), index=True)
    cell_id: Mapped[str] = mapped_column(String(36))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("patrol_id", "cell_id", name="uq_patrol_check_ins_place"),)


class PatrolFinding(Base):
    """Something found at a place on a patrol and the hazard it opened (source patrol,
    source_ref this row's id, derived from the finding: the same one posted twice is one)."""

    __tablename__ = "patrol_findings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patrol_id: Mapped[str] = mapped_column(ForeignKey("patrols.id"), index=True)
    cell_id: Mapped[str] = mapped_column(String(36))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    hazard_id: Mapped[str] = mapped_column(ForeignKey("hazards.id"), index=True)
    hazard_number: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
