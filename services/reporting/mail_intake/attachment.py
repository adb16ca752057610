"""The one attached statistics table: found, opened safely and read for what it says
about itself (the unit and the period; its numbers are not read)."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage

from openpyxl import load_workbook

from services.reporting.statistics.exports import TABLE_TITLE

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An .xlsx is a zip: refuse one that would inflate beyond this many times the upload
# limit before openpyxl reads it (a zip bomb costs memory, not just disk).
UNZIPPED_FACTOR = 20
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Refused(Exception):
    """The mail is not a submission; ``short`` goes into the reply's subject."""

    def __init__(self, short: str, detail: str) -> None:
        super().__init__(detail)
        self.short, self.detail = short, detail


@dataclass(frozen=True)
class TableFile:
    """What the attached table says about itself (its numbers are not read)."""

    unit_name: str
    period: tuple[date, date] | None


def _attachments(message: EmailMessage) -> list[EmailMessage]:
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_filename() or part.get_content_disposition() == "attachment":
            parts.append(part)
    return parts


def _is_xlsx(part: EmailMessage) -> bool:
    name = (part.get_filename() or "").lower()
    return name.endswith(".xlsx") or part.get_content_type() == XLSX_TYPE


def read_table(message: EmailMessage, max_bytes: int) -> TableFile:
    """The one attached statistics table, or ``Refused`` saying what is wrong with it."""
    attachments = _attachments(message)
    if not attachments:
        raise Refused("未附统计表", "邮件没有附件，请附上从工作台下载的统计表（.xlsx）。")
    tables = [part for part in attachments if _is_xlsx(part)]
    names = "、".join(part.get_filename() or "（无文件名）" for part in attachments)
    if not tables:
        raise Refused("附件不是统计表", f"附件（{names}）不是 .xlsx 格式的统计表。")
    if len(tables) > 1:
        raise Refused(
            "附件多于一张表",
            f"附件中有 {len(tables)} 个 .xlsx 文件（{names}），每封邮件只附一张统计表。",
        )
    part = tables[0]
    name = part.get_filename() or "附件"
    content = part.get_payload(decode=True) or b""
    if len(content) > max_bytes:
        raise Refused("附件过大", f"附件 {name} 超过 {max_bytes // (1024 * 1024) or 1} MB 的上限。")
    return _open_table(name, content, max_bytes)


def _open_table(name: str, content: bytes, max_bytes: int) -> TableFile:
    unreadable = Refused(
        "附件无法打开", f"附件 {name} 无法打开（文件已损坏，或不是 .xlsx 工作簿）。"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise unreadable from exc
    if inflated > max_bytes * UNZIPPED_FACTOR:
        raise unreadable
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                heads = [
                    (sheet.title, [row for row in sheet.iter_rows(max_row=4, values_only=True)])
                    for sheet in book.worksheets
                ]
            finally:
                book.close()
    except Exception as exc:  # openpyxl raises many types on a broken file
        raise unreadable from exc
    ours = [
        (title, rows)
        for title, rows in heads
        if title.strip() == TABLE_TITLE[:31] or _cell(rows, 0, 0) == TABLE_TITLE
    ]
    if not ours:
        raise Refused("附件不是统计表", f"附件 {name} 不是《{TABLE_TITLE}》。")
    if len(ours) > 1:
        raise Refused("附件多于一张表", f"附件 {name} 中有 {len(ours)} 张统计表，只能报送一张。")
    lines = [str(v).strip() for row in ours[0][1] for v in row if isinstance(v, str)]
    unit_name = _labelled(lines, "填报单位")
    if not unit_name:
        raise Refused("附件不是统计表", f"附件 {name} 缺少“填报单位”，请使用从工作台下载的统计表。")
    period_text = _labelled(lines, "统计期间") or ""
    dates = [date.fromisoformat(d) for d in ISO_DATE.findall(period_text) if _iso(d)]
    period = (dates[0], dates[1]) if len(dates) == 2 else None
    return TableFile(unit_name=unit_name, period=period)


def _cell(rows: list[tuple], row: int, column: int) -> str | None:
    try:
        value = rows[row][column]
    except IndexError:
        return None
    return value.strip() if isinstance(value, str) else None


def _labelled(lines: Iterable[str], label: str) -> str | None:
    for line in lines:
        match = re.match(rf"{label}\s*[:：]\s*(.+)", line)
        if match:
            return match.group(1).strip()
    return None


def _iso(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
