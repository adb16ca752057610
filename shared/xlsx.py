"""Spreadsheet helpers every .xlsx export of the project uses: user text that stays text,
a title row, a bold header row, column widths, and the workbook's bytes.

openpyxl stores any string starting with "=" as a formula, so a name or description typed
as ``=HYPERLINK(...)`` would run in the reader's Excel (formula injection): rows written
through ``append_row`` keep such strings as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

TEXT_FORMAT = "@"  # Excel's "Text" number format: edits keep leading zeros (0931-…)


def clean_text(value: str | None) -> str | None:
    """Drop the control characters the xlsx format cannot hold (openpyxl raises on them);
    they come in with text pasted from other programs."""
    return None if value is None else ILLEGAL_CHARACTERS_RE.sub("", value)


def keep_as_text(cells: Iterable[Cell]) -> None:
    """Cells openpyxl took for formulas hold the user's string as plain text instead."""
    for cell in cells:
        if cell.data_type == "f":
            cell.data_type = "s"


def append_row(ws: Worksheet, values: Sequence[Any]) -> tuple[Cell, ...]:
    """Append a row of values (user text never becomes a formula); returns its cells."""
    ws.append(list(values))
    row = ws[ws.max_row]
    keep_as_text(row)
    return row


def write_title(ws: Worksheet, title: str, columns: int) -> None:
    """Row 1: the title, bold, centred over ``columns`` merged columns."""
    ws.append([title])
    keep_as_text(ws[1])
    ws.merge_cells(f"A1:{get_column_letter(columns)}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")


def style_header_row(ws: Worksheet, row: int, *, freeze: bool = True) -> None:
    """Bold the header cells of ``row``; with ``freeze`` the rows above and it stay in view."""
    for cell in ws[row]:
        cell.font = Font(bold=True)
    if freeze:
        ws.freeze_panes = f"A{row + 1}"


def set_column_widths(ws: Worksheet, widths: Iterable[float]) -> None:
    """Widths in characters, from column A on; a CJK character counts about double."""
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
