"""The period report of the chemicals register (危化品出入库期间报表) as .xlsx: per store (lab)
and item, the balance at the start, each kind of movement in the period, the balance at the
end; then the controlled items (易制毒、易制爆、剧毒) by category."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.orm import Session

from services.hazards.registers import access
from services.hazards.registers.chemicals import domain
from services.hazards.registers.chemicals.models import (
    ChemicalItem,
    ChemicalMovement,
    ChemicalStore,
)
from shared.principal import Principal
from shared.xlsx import Book, workbook_bytes, write_header, write_title

K = domain.MovementKind
HEADER = [
    "单位",
    "存放点",
    "危化品",
    "CAS 号",
    "管制类别",
    "计量单位",
    "期初结余",
    "采购入库",
    "领用",
    "退还",
    "处置",
    "期末结余",
]
CONTROLLED_HEADER = ["管制类别", "单位", "存放点", "危化品", "CAS 号", "领用", "处置", "期末结余"]


def _sum(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, ChemicalMovement.quantity), else_=0)), 0)


def period_query(principal: Principal, start: date, end: date, unit_code: str | None) -> Select:
    m = ChemicalMovement
    in_period = and_(m.occurred_on >= start, m.occurred_on <= end)
    stmt = (
        select(
            ChemicalStore.unit_code,
            ChemicalStore.name,
            ChemicalItem,
            func.coalesce(func.sum(case((m.occurred_on < start, m.delta), else_=0)), 0),
            _sum(and_(in_period, m.kind == K.PURCHASE)),
            _sum(and_(in_period, m.kind == K.ISSUE)),
            _sum(and_(in_period, m.kind == K.RETURN)),
            _sum(and_(in_period, m.kind == K.DISPOSAL)),
            func.coalesce(func.sum(case((m.occurred_on <= end, m.delta), else_=0)), 0),
        )
        .join(ChemicalStore, ChemicalStore.id == m.store_id)
        .join(ChemicalItem, ChemicalItem.id == m.item_id)
        .group_by(ChemicalStore.unit_code, ChemicalStore.name, ChemicalStore.id, ChemicalItem.id)
        .order_by(ChemicalStore.unit_code, ChemicalStore.name, ChemicalItem.name)
    )
    if unit_code:
        stmt = stmt.where(ChemicalStore.unit_code == unit_code)
    return access.visible(
        stmt, principal, ChemicalStore.unit_code, literal(domain.CHEMICALS_CATEGORY)
    )


def period_xlsx(
    session: Session, principal: Principal, start: date, end: date, unit_code: str | None
) -> bytes:
    rows = session.execute(period_query(principal, start, end, unit_code)).all()

    def write(book: Book) -> None:
        title = f"危化品出入库期间报表（{start} 至 {end}）"
        with book.sheet("按存放点", widths=[10, 18, 18, 14, 12, 8, *[10] * 6], freeze=2) as sheet:
            write_title(sheet, title, len(HEADER))
            write_header(sheet, HEADER)
            for unit, store, item, opening, bought, issued, back, disposed, closing in rows:
                labels = "、".join(domain.controlled_labels(item))
                sheet.append(
                    [
                        unit,
                        store,
                        item.name,
                        item.cas_no,
                        labels,
                        item.measure,
                        opening,
                        bought,
                        issued,
                        back,
                        disposed,
                        closing,
                    ]
                )
        with book.sheet("管制类", widths=[10, 10, 18, 18, 14, 10, 10, 10], freeze=2) as sheet:
            write_title(sheet, title + "：管制类危化品", len(CONTROLLED_HEADER))
            write_header(sheet, CONTROLLED_HEADER)
            for attr, label in domain.CONTROLLED_LABELS.items():
                for unit, store, item, _, _, issued, _, disposed, closing in rows:
                    if getattr(item, attr):
                        sheet.append(
                            [label, unit, store, item.name, item.cas_no, issued, disposed, closing]
                        )

    return workbook_bytes(write)
