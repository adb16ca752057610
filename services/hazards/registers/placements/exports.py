"""The placement register as an .xlsx with Chinese headers (what departments keep in Excel)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from services.hazards.registers.placements import domain
from shared.xlsx import Book, workbook_bytes, write_header, write_title

HEADER = (
    "类型",
    "名称",
    "组织单位",
    "接收单位",
    "带队教师",
    "开始日期",
    "结束日期",
    "学生人数",
    "学生名单",
    "保险单号",
    "保险期限",
    "行前安全教育日期",
    "安全协议",
    "缺少",
    "状态",
)
WIDTHS = (12, 24, 10, 24, 10, 12, 12, 8, 30, 18, 24, 14, 10, 30, 10)


def _row(view: dict[str, Any]) -> list[Any]:
    insured = view["insurance_from"], view["insurance_to"]
    return [
        domain.PLACEMENT_KIND_LABELS[domain.PlacementKind(view["kind"])],
        view["title"],
        view["unit_code"],
        view["host_name"],
        view["leader_name"],
        view["starts_on"],
        view["ends_on"],
        view["student_count"],
        "、".join(view["students"] or []),
        view["insurance_policy_no"] or "",
        f"{insured[0]} 至 {insured[1]}" if all(insured) else "",
        view["briefing_held_on"],
        "已上传" if view["agreements"] else "未上传",
        "、".join(view["missing_labels"]),
        domain.PLACEMENT_STATUS_LABELS[domain.PlacementStatus(view["status"])],
    ]


def placements_xlsx(views: Iterable[dict[str, Any]], today: date) -> bytes:
    def write(book: Book) -> None:
        with book.sheet("实训实习台账", widths=WIDTHS, freeze=2) as sheet:
            write_title(sheet, f"实训实习和校外社会实践台账（{today}）", len(HEADER))
            header_row = write_header(sheet, HEADER)
            for view in views:
                sheet.append(_row(view))
            sheet.filter_from(header_row, len(HEADER))

    return workbook_bytes(write)
