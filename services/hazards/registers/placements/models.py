"""Tables of the placement register (hazards migration 0022): placements and the hosts'
safety agreements. On the ledger's ``Base``, imported at the end of
``services.hazards.models`` so its ``SCHEMA`` covers them."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.hazards.models import Base
from shared.db import UTCDateTime
from shared.files import StoredFileColumns
from shared.timeutil import utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


class Placement(Base):
    """实训实习 / 校外社会实践: the host, the dates, the students and what a start needs."""

    __tablename__ = "placements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(100))
    unit_code: Mapped[str] = mapped_column(String(32), index=True)  # the organising unit
    cell_id: Mapped[str] = mapped_column(String(36))  # its place in the grid
    host_name: Mapped[str] = mapped_column(String(100))  # 接收单位
    host_address: Mapped[str | None] = mapped_column(String(200))
    host_contact: Mapped[str | None] = mapped_column(String(100))
    leader_name: Mapped[str] = mapped_column(String(50))  # 带队教师
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    student_count: Mapped[int] = mapped_column(Integer)
    students: Mapped[list[str]] = mapped_column(JSON, default=list)  # 学号或姓名
    insurance_policy_no: Mapped[str | None] = mapped_column(String(64))
    insurer: Mapped[str | None] = mapped_column(String(100))
    insurance_from: Mapped[date | None] = mapped_column(Date)
    insurance_to: Mapped[date | None] = mapped_column(Date)
    briefing_activity_id: Mapped[str | None] = mapped_column(String(36))  # education's activity
    briefing_held_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    started_on: Mapped[date | None] = mapped_column(Date)
    finished_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class PlacementAgreement(StoredFileColumns, Base):
    """The host's safety agreement (安全协议), stored like a hazard's attachment (by hash)."""

    __tablename__ = "placement_agreements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    placement_id: Mapped[str] = mapped_column(ForeignKey("placements.id"), index=True)
    media_type: Mapped[str] = mapped_column(String(64))
