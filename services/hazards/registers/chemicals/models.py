"""Tables of the hazardous chemicals register, in the hazard ledger's metadata
(services.hazards.models imports this module, so its SCHEMA and the migrations' check see
them). A balance is never stored: it is the sum of the movements (append-only)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.hazards.models import Base
from shared.db import UTCDateTime
from shared.timeutil import utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


class ChemicalItem(Base):
    """An entry of the catalogue (危化品目录): college-wide, kept by the lead department."""

    __tablename__ = "chemical_items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    name: Mapped[str] = mapped_column(String(100))
    cas_no: Mapped[str] = mapped_column(String(20), unique=True)
    hazard_class: Mapped[str] = mapped_column(String(24))
    precursor: Mapped[bool] = mapped_column(Boolean, default=False)  # 易制毒
    explosive_precursor: Mapped[bool] = mapped_column(Boolean, default=False)  # 易制爆
    highly_toxic: Mapped[bool] = mapped_column(Boolean, default=False)  # 剧毒
    measure: Mapped[str] = mapped_column(String(10))  # 计量单位: g, mL, 瓶
    created_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ChemicalStore(Base):
    """A storage place (危化品存放点) at a grid place, with its capacity and segregation class."""

    __tablename__ = "chemical_stores"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)  # the place's
    cell_id: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int] = mapped_column(Integer)  # total quantity the store may hold
    segregation_class: Mapped[str] = mapped_column(String(24))
    keeper_name: Mapped[str] = mapped_column(String(50))
    created_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ChemicalMovement(Base):
    """One line of the ledger: never updated nor deleted (a mistake is corrected by another
    movement). ``delta`` is the signed change of the store's balance of the item."""

    __tablename__ = "chemical_movements"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    store_id: Mapped[str] = mapped_column(ForeignKey("chemical_stores.id"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("chemical_items.id"), index=True)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)  # the store's, at recording
    kind: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    delta: Mapped[int] = mapped_column(Integer)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    counterparty: Mapped[str | None] = mapped_column(String(100))  # 供应商 / 领用人 / 处置单位
    licence_no: Mapped[str | None] = mapped_column(String(64))  # 购买许可证号
    purpose: Mapped[str | None] = mapped_column(String(200))  # 课程或实验
    second_person: Mapped[str | None] = mapped_column(String(50))  # 双人双锁的第二人
    manifest_no: Mapped[str | None] = mapped_column(String(64))  # 危废转移联单号
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChemicalCount(Base):
    """A stock count (盘点) of one item in one store, and the balance it was compared with."""

    __tablename__ = "chemical_counts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    store_id: Mapped[str] = mapped_column(ForeignKey("chemical_stores.id"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("chemical_items.id"))
    counted_on: Mapped[date] = mapped_column(Date)
    counted: Mapped[int] = mapped_column(Integer)
    balance: Mapped[int] = mapped_column(Integer)
    counted_by: Mapped[str] = mapped_column(String(50))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
