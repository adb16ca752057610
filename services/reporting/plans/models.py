"""The emergency-plans projection (fed only by ``emergency_plan.changed``), on reporting's
Base (services.reporting.models imports this module, so its SCHEMA covers it)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.reporting.models import Base


class PlanProjection(Base):
    """Each plan's latest state: its unit, status and the dates its lapses are judged by."""

    __tablename__ = "emergency_plan_projection"

    plan_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    scenario: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    review_due: Mapped[date] = mapped_column(Date)
    drill_due: Mapped[date] = mapped_column(Date)
    last_drilled_on: Mapped[date | None] = mapped_column(Date)
    last_sequence: Mapped[int] = mapped_column(Integer)
