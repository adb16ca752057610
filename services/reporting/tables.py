"""Spreadsheets of the reporting service (Chinese headers): the statistics export and
the unit's 《校园安全专项整治工作隐患问题统计表》 for one reporting period."""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from shared.timeutil import campus_time
from shared.vocabulary import category_label
from shared.xlsx import append_row, style_header_row, workbook_bytes, write_title

TABLE_TITLE = "校园安全专项整治工作隐患问题统计表"
MEASURE_HEADERS = (
    ("found", "排查隐患数"),
    ("major", "其中重大隐患"),
    ("rectified", "已整改"),
    ("in_remediation", "整改中"),
    ("overdue", "逾期未整改"),
    ("rectification_rate", "整改率"),
    ("average_days_to_close", "平均整改天数"),
)
KEY_HEADERS = {"unit": "单位", "category": "隐患类别", "severity": "隐患等级"}
SEVERITY_LABELS = {"general": "一般隐患", "major": "重大隐患"}


def _label(group_by: str, key: str, unit_names: dict[str, str]) -> str:
    if group_by == "category":
        return category_label(key)
    if group_by == "severity":
        return SEVERITY_LABELS.get(key, key)
    return unit_names.get(key, key)


def _measure_cells(row: dict) -> list:
    cells = []
    for key, _ in MEASURE_HEADERS:
        value = row.get(key)
        cells.append(f"{value:.1%}" if key == "rectification_rate" and value is not None else value)
    return cells


def _sheet(title: str, subtitle: list[str], header: list[str]):
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    write_title(sheet, title, len(header))
    append_row(sheet, subtitle)
    append_row(sheet, header)
    style_header_row(sheet, 3)
    sheet.column_dimensions["A"].width = 26
    return book, sheet


def _bold_last_row(sheet) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def statistics_xlsx(
    rows: list[dict],
    totals: dict,
    group_by: str,
    unit_names: dict[str, str],
    scope: str,
    generated_at: datetime,
    tz: str,
) -> bytes:
    header = [KEY_HEADERS[group_by], *(label for _, label in MEASURE_HEADERS)]
    book, sheet = _sheet(
        "隐患统计",
        [scope, f"生成时间：{campus_time(generated_at, tz):%Y-%m-%d %H:%M}"],
        header,
    )
    for row in rows:
        append_row(sheet, [_label(group_by, row["key"], unit_names), *_measure_cells(row)])
    append_row(sheet, ["合计", *_measure_cells(totals)])
    _bold_last_row(sheet)
    return workbook_bytes(book)


def statistics_table_xlsx(snapshot: dict, unit_name: str, generated_at: datetime, tz: str) -> bytes:
    """The unit's table for one period: one row per category, totals, period, time."""
    header = ["序号", "隐患类别", *(label for _, label in MEASURE_HEADERS)]
    book, sheet = _sheet(
        TABLE_TITLE,
        [
            f"填报单位：{unit_name}",
            f"统计期间：{snapshot['period_start']} 至 {snapshot['period_end']}",
            f"生成时间：{campus_time(generated_at, tz):%Y-%m-%d %H:%M}",
        ],
        header,
    )
    for index, row in enumerate(snapshot["rows"], start=1):
        append_row(sheet, [index, category_label(row["key"]), *_measure_cells(row)])
    append_row(sheet, ["", "合计", *_measure_cells(snapshot["totals"])])
    _bold_last_row(sheet)
    sheet.column_dimensions["B"].width = 24
    return workbook_bytes(book)
