"""The food-safety register as an .xlsx (Chinese headers): outlets, certificates, records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from services.hazards.registers.food_safety import domain
from services.hazards.registers.food_safety.models import (
    FoodCertificate,
    FoodDailyRecord,
    FoodOutlet,
)
from shared.xlsx import DATE, PLAIN, TEXT, Book, workbook_bytes, write_header, write_title

OUTLET_HEADER = ["名称", "类型", "单位", "地点", "经营者", "食品安全管理员", "状态"]
CERT_HEADER = ["场所", "证照类型", "持证人", "证号", "有效期至", "状态"]
RECORD_HEADER = [
    "场所",
    "日期",
    "类型",
    "登记人",
    "菜品/样品/食材",
    "检测结果",
    "批次号",
    "产地",
    "证明编号",
]


def register_xlsx(
    outlets: Sequence[FoodOutlet],
    certificates: Sequence[FoodCertificate],
    records: Sequence[FoodDailyRecord],
    today: date,
) -> bytes:
    names = {o.id: o.name for o in outlets}

    def write(book: Book) -> None:
        _outlets(book, outlets, today)
        _certificates(book, certificates, names, today)
        _records(book, records, names)

    return workbook_bytes(write)


def _outlets(book: Book, outlets: Sequence[FoodOutlet], today: date) -> None:
    with book.sheet("食品经营场所", widths=[24, 10, 10, 24, 20, 14, 8], freeze=2) as sheet:
        write_title(sheet, f"食品安全台账（{today}）", len(OUTLET_HEADER))
        write_header(sheet, OUTLET_HEADER)
        for o in outlets:
            sheet.append(
                [
                    o.name,
                    domain.OUTLET_KIND_LABELS[domain.OutletKind(o.kind)],
                    o.unit_code,
                    o.location,
                    o.operator,
                    o.manager_name,
                    domain.OUTLET_STATUS_LABELS[domain.OutletStatus(o.status)],
                ],
                TEXT,
            )


def _certificates(
    book: Book, certificates: Sequence[FoodCertificate], names: dict[str, str], today: date
) -> None:
    with book.sheet("证照", widths=[24, 14, 14, 20, 12, 10], freeze=1) as sheet:
        write_header(sheet, CERT_HEADER)
        for c in certificates:
            state = domain.due_state(c.expires_on, today)
            sheet.append(
                [
                    names.get(c.outlet_id, c.outlet_id),
                    domain.CERTIFICATE_KIND_LABELS[domain.CertificateKind(c.kind)],
                    c.holder_name,
                    c.number,
                    c.expires_on,
                    domain.DUE_STATE_LABELS[state],
                ],
                [TEXT, TEXT, TEXT, TEXT, DATE, PLAIN],
            )


def _records(book: Book, records: Sequence[FoodDailyRecord], names: dict[str, str]) -> None:
    with book.sheet("每日记录", widths=[24, 12, 10, 12, 24, 8, 16, 20, 16], freeze=1) as sheet:
        write_header(sheet, RECORD_HEADER)
        for r in records:
            result = domain.TEST_RESULT_LABELS[domain.TestResult(r.result)] if r.result else None
            sheet.append(
                [
                    names.get(r.outlet_id, r.outlet_id),
                    r.day,
                    domain.RECORD_KIND_LABELS[domain.RecordKind(r.kind)],
                    r.person_name,
                    r.item,
                    result,
                    r.batch_no,
                    r.origin,
                    r.certificate_no,
                ],
                [TEXT, DATE, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT],
            )
