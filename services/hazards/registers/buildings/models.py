"""Tables of the buildings register (hazards migration 0018).

They sit on the hazard ledger's ``Base`` (one database, one migration chain) and are
imported at the end of ``services.hazards.models`` so its ``SCHEMA`` covers them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.hazards.models import Base
from shared.db import UTCDateTime
from shared.timeutil import utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


class Building(Base):
    """One building of the grid (a grid place): one record per place."""

    __tablename__ = "buildings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    cell_id: Mapped[str] = mapped_column(String(36), unique=True)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(100))
    built_year: Mapped[int | None] = mapped_column(Integer)
    structure: Mapped[str] = mapped_column(String(16))
    floors: Mapped[int | None] = mapped_column(Integer)
    area: Mapped[float | None] = mapped_column(Float)  # 建筑面积, m²
    use: Mapped[str] = mapped_column(String(16))
    appraised_on: Mapped[date | None] = mapped_column(Date)  # 鉴定日期
    appraisal_grade: Mapped[str | None] = mapped_column(String(1))  # A/B/C/D
    appraisal_due: Mapped[date | None] = mapped_column(Date, index=True)  # 下次鉴定日期
    fire_facilities: Mapped[str | None] = mapped_column(Text)  # 消防设施
    risk_flags: Mapped[list[str]] = mapped_column(JSON, default=list)  # 低洼/地质灾害/雷击/沉陷
    # The evacuation drawing (疏散图), stored by hash as hazards' attachments are.
    drawing_sha256: Mapped[str | None] = mapped_column(String(64))
    drawing_filename: Mapped[str | None] = mapped_column(String(200))
    drawing_media_type: Mapped[str | None] = mapped_column(String(64))
    drawing_size: Mapped[int | None] = mapped_column(Integer)
    drawing_uploaded_by: Mapped[str | None] = mapped_column(String(64))
    drawing_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ConstructionSite(Base):
    """A construction site (在建项目施工场所) at a building, isolated (施工隔离) or not, until
    its end date."""

    __tablename__ = "building_sites"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    building_id: Mapped[str] = mapped_column(ForeignKey("buildings.id"), index=True)
    project: Mapped[str] = mapped_column(String(100))
    contractor: Mapped[str | None] = mapped_column(String(100))
    isolated: Mapped[bool] = mapped_column(Boolean, default=False)  # 施工隔离到位
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
