"""Tables of the vehicles register, in the hazard ledger's metadata (services.hazards.models
imports this module, so its SCHEMA and the migrations' check see them). A lapse's hazard is
the ledger's own row (source "vehicles", source_ref from domain.lapse_ref), not copied here."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.hazards.models import Base
from shared.db import UTCDateTime
from shared.timeutil import utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


class Vehicle(Base):
    """A commuter or official vehicle (通勤车、公务车), kept at a place of the grid."""

    __tablename__ = "vehicles"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    plate_no: Mapped[str] = mapped_column(String(16), unique=True)  # 号牌号码
    kind: Mapped[str] = mapped_column(String(16))
    model: Mapped[str | None] = mapped_column(String(100))
    seats: Mapped[int | None] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)  # the place's unit
    cell_id: Mapped[str] = mapped_column(String(36))  # 停放地点
    inspection_due: Mapped[date] = mapped_column(Date)  # 年检有效期至
    insurance_due: Mapped[date] = mapped_column(Date)  # 保险有效期至
    status: Mapped[str] = mapped_column(String(16), default="in_use")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Driver(Base):
    """A driver (驾驶人) by name and staff number, attached to a place of the grid (the unit
        that employs the driver). The last safety education is an education activity the driver
    attended (education's attendance.recorded), or a date typed by hand as the fallback."""

    __tablename__ = "vehicle_drivers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    name: Mapped[str] = mapped_column(String(50))
    staff_no: Mapped[str] = mapped_column(String(32), unique=True)  # 工号
    phone: Mapped[str | None] = mapped_column(String(32))
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    cell_id: Mapped[str] = mapped_column(String(36))
    licence_class: Mapped[str] = mapped_column(String(8))  # 准驾车型 A1 … C2
    licence_expiry: Mapped[date] = mapped_column(Date)  # 驾驶证有效期至
    last_education_on: Mapped[date | None] = mapped_column(Date)  # 最近一次安全教育日期
    # The education activity (education service) that date comes from; None: typed by hand.
    last_education_activity_id: Mapped[str | None] = mapped_column(String(36))
    last_education_activity_title: Mapped[str | None] = mapped_column(String(200))
    # domain.education_valid_until(last_education_on), kept for the due lists' SQL
    education_due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Trip(Base):
    """A trip (出车登记): only a vehicle and a driver in force on the day may make it."""

    __tablename__ = "vehicle_trips"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    vehicle_id: Mapped[str] = mapped_column(ForeignKey("vehicles.id"), index=True)
    driver_id: Mapped[str] = mapped_column(ForeignKey("vehicle_drivers.id"), index=True)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)  # the vehicle's unit
    trip_on: Mapped[date] = mapped_column(Date, index=True)
    purpose: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
