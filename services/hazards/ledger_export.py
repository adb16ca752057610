"""隐患台账 as a spreadsheet: one row per hazard, in the order given, streamed into
``shared.xlsx`` (a database stream is never held whole).

The rows are anything with a hazard's attributes: ``ledger.LedgerRow`` (what the exports
read: plain rows, fast) or ``Hazard`` objects. Labels and names are those of the printed
forms (``exports``); times are shown as campus wall-clock times, dates as date cells.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.hazards.domain import category_label, subcategory_label
from services.hazards.exports import (
    TIME_FORMAT,
    lead_departments_label,
    local_time,
    place_label,
    reporter_label,
    responsible_label,
    severity_label,
    status_label,
    unit_label,
)
from services.hazards.models import Hazard
from shared.xlsx import (
    DATE,
    PLAIN,
    WRAP,
    Book,
    clean_text,
    workbook_bytes,
    write_header,
    write_title,
)

LEDGER_SHEET = "隐患台账"
PROGRESS_EVERY = 1000  # rows between two progress reports of a long export

# (header, column width in characters); CJK characters count about double.
_LEDGER_COLUMNS = (
    ("序号", 6),
    ("隐患编号", 16),
    ("单位", 14),
    ("网格/场所", 26),
    ("类别", 14),
    ("子类别", 16),
    ("隐患描述", 40),
    ("等级", 10),
    ("状态", 8),
    ("发现人", 12),
    ("报告单位", 14),  # a lead department inspecting another unit names itself (督导检查)
    ("发现时间", 17),
    ("责任人", 10),
    ("牵头部门", 12),
    ("整改期限", 12),
    ("整改措施", 36),
    ("复查次数", 9),
    ("销号时间", 17),
)
LEDGER_HEADER = tuple(header for header, _ in _LEDGER_COLUMNS)
_LEDGER_HEADER_ROW = 3
_COLUMN_STYLES = {"网格/场所": WRAP, "隐患描述": WRAP, "整改措施": WRAP, "整改期限": DATE}
_LEDGER_STYLES = tuple(_COLUMN_STYLES.get(header, PLAIN) for header in LEDGER_HEADER)


def finder_label(hazard: Hazard) -> str:
    """发现人 by name (``LedgerRow.found_by_name``); a hazard without it (a ``Hazard``
    object) shows its account."""
    return getattr(hazard, "found_by_name", None) or hazard.found_by


class _Rows:
    """Turns hazards into rows for one export: the campus zone looked up once, and each set
    of lead departments labelled once (a ledger names a few dozen)."""

    def __init__(
        self,
        campus_tz: str,
        unit_names: Mapping[str, str] | None,
        cell_names: Mapping[str, str] | None,
    ) -> None:
        self._tz, self._zone = campus_tz, ZoneInfo(campus_tz)
        self._units, self._cells = unit_names, cell_names
        self._leads: dict[tuple[str, ...], str] = {}

    def _time(self, moment: datetime | None) -> datetime | None:
        # Excel has no time zones: the campus wall-clock time, naive.
        if moment is None:
            return None
        if moment.tzinfo is None:  # local_time's rule for a time built in memory
            return local_time(moment, self._tz).replace(tzinfo=None)
        return moment.astimezone(self._zone).replace(tzinfo=None)

    def _lead_label(self, hazard: Hazard) -> str:
        leads = tuple(hazard.lead_departments)
        label = self._leads.get(leads)
        if label is None:
            label = self._leads[leads] = lead_departments_label(hazard)
        return label

    def row(self, number: int, hazard: Hazard) -> list[Any]:
        """One hazard's row, in ``LEDGER_HEADER``'s order: dates and times as cells Excel
        knows (the writer drops the characters a sheet cannot hold)."""
        return [
            number,
            hazard.number,
            unit_label(hazard, self._units),
            place_label(hazard, self._cells),
            category_label(hazard.category),
            subcategory_label(hazard.category, hazard.subcategory),
            hazard.description,
            severity_label(hazard.severity),
            status_label(hazard.status),
            finder_label(hazard),
            reporter_label(hazard, self._units),
            self._time(hazard.found_at),
            responsible_label(hazard),
            self._lead_label(hazard),
            hazard.deadline,  # a date cell
            hazard.measures,
            hazard.reopen_count or 0,
            self._time(hazard.closed_at),
        ]


def write_ledger(
    book: Book,
    hazards: Iterable[Hazard],
    generated_at: datetime,
    campus_tz: str,
    title: str = "隐患台账",
    *,
    unit_names: Mapping[str, str] | None = None,
    cell_names: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """隐患台账 as a sheet of ``book``: a row per hazard in the given order, read one at a
    time (a stream from the database is never held whole). ``progress(rows)`` is called
    every ``PROGRESS_EVERY`` rows. Returns the number of hazards written."""
    columns = len(LEDGER_HEADER)
    widths = [width for _, width in _LEDGER_COLUMNS]
    count = 0
    with book.sheet(LEDGER_SHEET, widths=widths, freeze=_LEDGER_HEADER_ROW) as sheet:
        write_title(sheet, clean_text(title) or LEDGER_SHEET, columns)
        generated = local_time(generated_at, campus_tz)
        sheet.append([f"生成时间：{generated:{TIME_FORMAT}}"])
        sheet.merge(1, columns)
        write_header(sheet, LEDGER_HEADER)
        rows = _Rows(campus_tz, unit_names, cell_names)
        for count, hazard in enumerate(hazards, start=1):
            sheet.append(rows.row(count, hazard), _LEDGER_STYLES)
            if progress and count % PROGRESS_EVERY == 0:
                progress(count)
        sheet.filter_from(_LEDGER_HEADER_ROW, columns)
    return count


def ledger_xlsx(
    hazards: Iterable[Hazard],
    generated_at: datetime,
    campus_tz: str,
    title: str = "隐患台账",
    *,
    unit_names: Mapping[str, str] | None = None,
    cell_names: Mapping[str, str] | None = None,
) -> bytes:
    """隐患台账 as the bytes of a one-sheet workbook (``write_ledger``).

    ``unit_names`` (unit code → name) and ``cell_names`` (cell id → place name) are
    optional: without them the unit code and cell id are shown.
    """
    names = {"unit_names": unit_names, "cell_names": cell_names}
    return workbook_bytes(
        lambda book: write_ledger(book, hazards, generated_at, campus_tz, title, **names)
    )
