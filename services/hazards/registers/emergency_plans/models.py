"""Tables of the emergency-plan register (hazards migration 0019).

They sit on the hazard ledger's ``Base`` (one database, one migration chain) and are
imported at the end of ``services.hazards.models`` so its ``SCHEMA`` covers them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.hazards.models import Base
from shared.db import UTCDateTime
from shared.timeutil import utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


class EmergencyPlan(Base):
    """应急预案: one unit's plan for one scenario, in an edition (版本), approved, reviewed by
    a date (修订/评审), drilled at least every ``drill_period_days`` days."""

    __tablename__ = "emergency_plans"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    scenario: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(200))
    edition: Mapped[str] = mapped_column(String(32))  # 版本号, e.g. 2026版
    approved_by: Mapped[str | None] = mapped_column(String(50))
    approved_on: Mapped[date | None] = mapped_column(Date)
    review_due: Mapped[date] = mapped_column(Date, index=True)
    drill_period_days: Mapped[int] = mapped_column(Integer)
    last_drilled_on: Mapped[date | None] = mapped_column(Date)
    # Kept on every write (domain.drill_due) so lists and the sweep filter on one column.
    next_drill_due: Mapped[date] = mapped_column(Date, index=True)
    last_drill_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16), default="in_force", index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("unit_code", "scenario", "edition", name="uq_emergency_plans_edition"),
    )


class PlanDrill(Base):
    """A drill (education's activity) that exercised a plan: one row per drill, so a
    re-delivered drill.completed changes nothing."""

    __tablename__ = "emergency_plan_drills"

    drill_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(36), ForeignKey("emergency_plans.id"), index=True)
    drilled_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
