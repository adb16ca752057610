"""Spreadsheet exports scale: the ledger is written in time linear in its rows and in memory
that does not grow with them (issue 14 item 1: ~6,500 hazards timed out a web worker, since
every appended row re-read the sheet and every cell stayed in memory)."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from services.hazards.ledger_export import LEDGER_HEADER, ledger_xlsx, write_ledger
from shared.xlsx import workbook

TZ = "Asia/Shanghai"
GENERATED_AT = datetime(2021, 11, 30, 16, 5, tzinfo=UTC)
START = datetime(2021, 11, 8, 1, 0, tzinfo=UTC)


def hazards(count: int) -> Iterator[SimpleNamespace]:
    """``count`` hazards made one at a time, as a database stream hands them over (plain
    objects with a hazard's attributes: building ORM objects would be most of the time)."""
    for i in range(count):
        yield SimpleNamespace(
            id=f"h-{i}",
            number=f"YH-2021-{i:06d}",
            unit_code=f"U{i % 50:02d}",
            cell_id=f"c-{i % 300}",
            category="fire",
            subcategory="teaching_building",
            lead_departments=["BWC"],
            severity="major" if i % 10 == 0 else "general",
            status="closed" if i % 3 == 0 else "remediating",
            description=f"第{i}号隐患：消防通道堆放杂物，灭火器过期未更换",
            location="东侧楼梯间",
            found_by=f"u-{i % 97}",
            reporter_unit="XGC",
            found_at=START + timedelta(minutes=i),
            remediation_person="陈静",
            responsible_person_name=None,
            deadline=date(2021, 12, 1),
            measures="=清理通道杂物" if i % 7 == 0 else "清理通道杂物并设置禁止堆放标识",
            reopen_count=i % 3,
            closed_at=START + timedelta(days=3, minutes=i) if i % 3 == 0 else None,
        )


def _rows_in(path: Path) -> int:
    """The number of rows in the first sheet's XML (read without loading every cell)."""
    with zipfile.ZipFile(path) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
        return sum(chunk.count(b"<row ") for chunk in iter(lambda: sheet.read(1 << 20), b""))


def _write(path: Path, count: int) -> int:
    with path.open("wb") as out, workbook(out) as book:
        return write_ledger(book, hazards(count), GENERATED_AT, TZ)


@pytest.mark.timeout(120)
def test_a_ledger_of_20000_hazards_is_written_in_seconds(tmp_path):
    started = time.perf_counter()
    written = _write(tmp_path / "ledger.xlsx", 20_000)
    elapsed = time.perf_counter() - started
    assert written == 20_000
    assert _rows_in(tmp_path / "ledger.xlsx") == 20_000 + 3  # title, time, header
    assert elapsed < 20, f"20,000 rows took {elapsed:.1f} s"


@pytest.mark.timeout(120)
def test_memory_does_not_grow_with_the_rows(tmp_path):
    def peak(count: int) -> int:
        tracemalloc.start()
        try:
            _write(tmp_path / f"ledger-{count}.xlsx", count)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(1_000), peak(6_000)
    # Six times the rows: the peak stays within half a megabyte (a chunk of rows).
    assert large - small < 512 * 1024, f"peak {small} B for 1,000 rows, {large} B for 6,000"


def test_a_streamed_ledger_reads_back_as_the_one_in_memory(tmp_path):
    """The same rows, styles and frozen header whether written to a file or to bytes."""
    _write(tmp_path / "ledger.xlsx", 30)
    on_disk = openpyxl.load_workbook(tmp_path / "ledger.xlsx")["隐患台账"]
    in_memory = openpyxl.load_workbook(
        io.BytesIO(ledger_xlsx(list(hazards(30)), GENERATED_AT, TZ))
    )["隐患台账"]
    assert [c.value for c in on_disk[3]] == list(LEDGER_HEADER)
    assert list(on_disk.values) == list(in_memory.values)
    assert on_disk.max_row == 33 and on_disk.freeze_panes == "A4"
    assert on_disk.auto_filter.ref == "A3:R33"
    formula_like = on_disk["P4"]  # hazard 0's measures start with "="
    assert formula_like.value == "=清理通道杂物" and formula_like.data_type == "s"


def test_text_keeps_its_spaces_and_columns_are_named_as_excel_names_them(tmp_path):
    """The writer marks only text with leading or trailing whitespace for keeping it, and
    names columns itself (openpyxl is not imported to write): both read back as written."""
    from openpyxl.utils import get_column_letter

    from shared.xlsx import column_letter

    values = ["  缩进的说明", "末尾有空格 ", "中间 有 空格", "第一行\n第二行", *range(1, 27)]
    path = tmp_path / "text.xlsx"
    with path.open("wb") as out, workbook(out) as book, book.sheet("文本") as sheet:
        sheet.append(values)
    read = openpyxl.load_workbook(path)["文本"]
    assert [cell.value for cell in read[1]] == values  # 30 columns: A … AD, each in place
    assert [column_letter(n) for n in range(1, 18_279)] == [
        get_column_letter(n) for n in range(1, 18_279)
    ]
