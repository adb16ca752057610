"""Tables of the food-safety register (hazards migration 0021).

They sit on the hazard ledger's ``Base`` and are imported at the end of
``services.hazards.models`` so its ``SCHEMA`` (checked against the migrations) covers them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.hazards.models import Base
from shared.db import UTCDateTime
from shared.timeutil import utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


class FoodOutlet(Base):
    """A food outlet (食堂、超市、茶饮店、配送中心) at a grid place."""

    __tablename__ = "food_outlets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(24))
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    cell_id: Mapped[str] = mapped_column(String(36), index=True)
    location: Mapped[str | None] = mapped_column(String(200))
    operator: Mapped[str | None] = mapped_column(String(100))  # 经营者（承包方）
    manager_name: Mapped[str] = mapped_column(String(50))  # 食品安全管理员
    status: Mapped[str] = mapped_column(String(16), default="open")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class FoodCertificate(Base):
    """A licence (食品经营许可证) or a staff health certificate (健康证) with its expiry."""

    __tablename__ = "food_certificates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    outlet_id: Mapped[str] = mapped_column(ForeignKey("food_outlets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    holder_name: Mapped[str] = mapped_column(String(100))
    number: Mapped[str | None] = mapped_column(String(64))
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FoodDailyRecord(Base):
    """A daily record (append-only): 陪餐, 留样, 农残检测 (pass/fail), 冷链溯源."""

    __tablename__ = "food_daily_records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    outlet_id: Mapped[str] = mapped_column(ForeignKey("food_outlets.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(24))
    person_name: Mapped[str] = mapped_column(String(50))  # 陪餐领导、留样人、检测人、验收人
    item: Mapped[str | None] = mapped_column(String(200))  # 菜品 / 样品 / 食材
    result: Mapped[str | None] = mapped_column(String(8))  # 农残检测: pass | fail
    batch_no: Mapped[str | None] = mapped_column(String(64))  # 冷链批次
    origin: Mapped[str | None] = mapped_column(String(200))  # 产地
    certificate_no: Mapped[str | None] = mapped_column(String(64))  # 检疫/核酸/消毒证明
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
