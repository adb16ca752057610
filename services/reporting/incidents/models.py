"""The incidents projection (fed only by ``incident.recorded``), on reporting's Base
(services.reporting.models imports this module, so its SCHEMA covers it)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.reporting.models import Base


class IncidentProjection(Base):
    """Each incident's latest counted state: unit, kind, severity, when, casualties."""

    __tablename__ = "incident_projection"

    incident_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(24))
    near_miss: Mapped[bool] = mapped_column(Boolean)
    major: Mapped[bool] = mapped_column(Boolean)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    deaths: Mapped[int] = mapped_column(Integer)
    injuries: Mapped[int] = mapped_column(Integer)
    last_sequence: Mapped[int] = mapped_column(Integer)
