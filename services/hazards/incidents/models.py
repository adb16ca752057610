"""Tables of the incidents ledger (安全事故/事件台账), in the hazard ledger's metadata
(services.hazards.models imports this module, so its SCHEMA and the migrations' check see
them). The hazards an incident revealed are the ledger's own rows (source "incident",
source_ref "<incident id>:<n>"), not copied here."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.hazards.models import Base
from shared.db import UTCDateTime
from shared.timeutil import utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


class Incident(Base):
    """One incident or near miss (未遂事件) at a place of the grid."""

    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)  # the place's, at recording
    cell_id: Mapped[str] = mapped_column(String(36), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    occurred_on: Mapped[date] = mapped_column(Date, index=True)  # campus date: statistics
    kind: Mapped[str] = mapped_column(String(24))
    near_miss: Mapped[bool] = mapped_column(Boolean, default=False)
    severity: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(100))
    narrative: Mapped[str] = mapped_column(Text)  # 事故经过
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    injuries: Mapped[int] = mapped_column(Integer, default=0)
    loss_yuan: Mapped[int] = mapped_column(Integer, default=0)  # 直接经济损失（元）
    immediate_actions: Mapped[str | None] = mapped_column(Text)  # 应急处置
    # 事故调查: the causes found, by whom and when.
    causes: Mapped[str | None] = mapped_column(Text)
    investigated_by: Mapped[str | None] = mapped_column(String(64))
    investigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 责任认定: the unit found responsible, what was found, on which day, by whom.
    responsible_unit: Mapped[str | None] = mapped_column(String(32))
    responsibility: Mapped[str | None] = mapped_column(Text)
    found_on: Mapped[date | None] = mapped_column(Date)
    found_by: Mapped[str | None] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_by_name: Mapped[str | None] = mapped_column(String(50))
    version: Mapped[int] = mapped_column(Integer, default=1)  # = sequence of its latest event
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    reports: Mapped[list[IncidentReport]] = relationship(
        order_by="IncidentReport.told_at", lazy="selectin", cascade="all, delete-orphan"
    )


class IncidentReport(Base):
    """One link of the report chain (事故报告): who was told, when, by whom (append-only)."""

    __tablename__ = "incident_reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    told: Mapped[str] = mapped_column(String(100))  # 报告对象: a person, office or agency
    told_at: Mapped[datetime] = mapped_column(UTCDateTime())
    told_by: Mapped[str | None] = mapped_column(String(50))  # 报告人
    channel: Mapped[str | None] = mapped_column(String(50))  # 电话、书面、当面…
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
