"""Spreadsheet writing every .xlsx export of the project uses: a streaming writer that keeps
user text as text, a title row, a bold frozen header, column widths, dates Excel knows.

Why not openpyxl: its normal mode holds every cell in memory (and reading ``ws[ws.max_row]``
after each append made an export quadratic), and its write-only mode, linear and bounded,
still costs about 30 s for the 50,000-row ledger on a campus server (measured by
``bench/exports.py`` beside this writer). The format an export needs is small: one XML
part per sheet, streamed row by row into the zip, and a fixed table of styles. openpyxl
stays the reader (imports, tests), and is not imported here.

Time is linear in the cells and memory is bounded: rows go to the zip stream in chunks; a
sheet keeps only its merged ranges. Sheets are written one after the other.

User text never becomes a formula: every string is written as an inline string (there is
no way to write a formula here), so ``=HYPERLINK(...)`` typed as a name stays text in the
reader's Excel (formula injection). Characters XML cannot hold (control characters pasted
from other programs, lone surrogates) are dropped.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import IO, Any

from shared.installation import campus_id

# The cell styles (indexes into styles.xml's cellXfs, written once below).
PLAIN, TITLE, BOLD, TEXT, DATE, DATETIME, WRAP = range(7)
TEXT_FORMAT = "@"  # Excel's "Text" number format (style TEXT): edits keep leading zeros
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_CELL_CHARS = 32_767  # Excel refuses a longer cell as a damaged file
FLUSH_CHARS = 1 << 18  # rows are handed to the zip stream in chunks of about this size
# Deflate's fastest level: sheet XML is markup that repeats, so the file is only about a third
# larger than at the default 6, which took a third of a large export's writing time.
COMPRESS_LEVEL = 1

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff&<>]")
_SHEET_NAME_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 0 in the 1900 date system (after 1900-03-01)
_DAY = timedelta(days=1)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def column_letter(number: int) -> str:
    """Excel's name of column ``number`` (1-based): A … Z, AA … (openpyxl's
    ``get_column_letter``, without importing openpyxl into every exporting process)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def clean_text(value: str | None) -> str | None:
    """Drop the characters the xlsx format cannot hold; they come in with text pasted from
    other programs."""
    return None if value is None else _ILLEGAL.sub("", value)


def _escape(text: str) -> str:
    if _SPECIAL.search(text) is None and len(text) <= MAX_CELL_CHARS:
        return text  # the common case, checked in one pass
    text = _ILLEGAL.sub("", text)[:MAX_CELL_CHARS]
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def excel_serial(moment: date | datetime) -> float | int:
    """Days since Excel's epoch; a time of day is the fraction. Excel has no time zones:
    give the wall-clock time the reader should see (naive)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            raise ValueError("Excel has no time zones: pass the wall-clock time, naive")
        return (moment - _EXCEL_EPOCH) / _DAY
    return (moment - _EXCEL_EPOCH.date()).days


_STYLE_ATTRIBUTES = ("", *(f' s="{i}"' for i in range(1, WRAP + 1)))
# A date or a time in a cell of a style without a number format gets a date format.
_AS_DATE = tuple(DATE if s in (PLAIN, BOLD, WRAP) else s for s in range(WRAP + 1))
_AS_DATETIME = tuple(DATETIME if s in (PLAIN, BOLD, WRAP) else s for s in range(WRAP + 1))
_CACHED_TEXTS = 4096  # labels repeat on every row: their cell's tail is kept, up to this many


def _text_tail(text: str) -> str:
    """A string cell after its reference and style: inline text, never a formula. Only
    leading or trailing whitespace needs xml:space (as openpyxl writes it): a reader keeps
    the rest."""
    text = _escape(text)
    space = ' xml:space="preserve"' if text and (text[0].isspace() or text[-1].isspace()) else ""
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _cell(ref: str, value: Any, style: int) -> str:
    """One cell's XML ("" for an empty one). Strings are inline text, never formulas."""
    kind = type(value)
    if kind is str:
        return f'<c r="{ref}"{_STYLE_ATTRIBUTES[style]}{_text_tail(value)}' if value else ""
    if value is None:
        return ""
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is float or isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            return ""  # Excel has no NaN or infinity
        s = f' s="{style}"' if style else ""
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    if isinstance(value, date):  # a datetime too; a date cell needs a date format to read
        style = (_AS_DATETIME if isinstance(value, datetime) else _AS_DATE)[style]
        return f'<c r="{ref}" s="{style}"><v>{excel_serial(value)}</v></c>'
    raise TypeError(f"cannot write {kind.__name__} to a spreadsheet cell")


class Sheet:
    """One worksheet being written: rows in order, then its merged ranges at the end."""

    def __init__(self, stream: IO[bytes], widths: Sequence[float], freeze: int | None) -> None:
        self._stream = stream
        self._chunk: list[str] = []
        self._size = 0
        self._merged: list[str] = []
        self._filter: tuple[int, int] | None = None
        self._letters: list[str] = []
        self._texts: dict[str, str] = {}
        self.rows = 0
        self._write(_HEAD + f"<worksheet {_NS} {_NS_R}>" + _views(freeze) + _cols(widths))
        self._write("<sheetData>")

    def _write(self, text: str) -> None:
        self._chunk.append(text)
        self._size += len(text)
        if self._size >= FLUSH_CHARS:
            self._flush()

    def _flush(self) -> None:
        self._stream.write("".join(self._chunk).encode("utf-8"))
        self._chunk, self._size = [], 0

    def _letter(self, index: int) -> str:
        while len(self._letters) <= index:
            self._letters.append(column_letter(len(self._letters) + 1))
        return self._letters[index]

    def append(self, values: Sequence[Any], styles: int | Sequence[int] = PLAIN) -> int:
        """Write the next row; ``styles`` is one style for the row or one per value.
        Returns the row's number (1-based).

        The hot loop of every export (a cell at a time): strings, most cells, are built
        inline; a short one's tail (escaped text and markup) is kept for the sheet."""
        self.rows += 1
        r = str(self.rows)
        if isinstance(styles, int):
            styles = (styles,) * len(values)
        if len(self._letters) < len(values):
            self._letter(len(values) - 1)
        tails, attributes = self._texts, _STYLE_ATTRIBUTES
        cells = [f'<row r="{r}">']
        for letter, value, style in zip(self._letters, values, styles, strict=False):
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                tail = tails.get(value)
                if tail is None:
                    tail = _text_tail(value)
                    if len(value) <= 64 and len(tails) < _CACHED_TEXTS:
                        tails[value] = tail
                cells.append(f'<c r="{letter}{r}"{attributes[style]}{tail}')
            elif kind is int:  # counts: the next most common
                cells.append(f'<c r="{letter}{r}"{attributes[style]}><v>{value}</v></c>')
            elif kind is datetime and value.tzinfo is None:  # times (an aware one: _cell)
                serial, style = (value - _EXCEL_EPOCH) / _DAY, _AS_DATETIME[style]
                cells.append(f'<c r="{letter}{r}" s="{style}"><v>{serial}</v></c>')
            elif value is not None:  # other numbers, dates: the general path
                cells.append(_cell(letter + r, value, style))
        cells.append("</row>")
        self._write("".join(cells))
        return self.rows

    def merge(self, first_col: int, last_col: int, row: int | None = None) -> None:
        """Merge columns ``first_col``..``last_col`` (1-based) of ``row`` (default: the
        last written)."""
        row = row or self.rows
        self._merged.append(f"{self._letter(first_col - 1)}{row}:{self._letter(last_col - 1)}{row}")

    def filter_from(self, header_row: int, columns: int) -> None:
        """An AutoFilter over the header ``header_row`` and every row written below it."""
        self._filter = (header_row, columns)

    def close(self) -> None:
        self._write("</sheetData>")
        if self._filter:
            header, columns = self._filter
            last = f"{self._letter(columns - 1)}{max(self.rows, header)}"
            self._write(f'<autoFilter ref="A{header}:{last}"/>')
        if self._merged:
            cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in self._merged)
            self._write(f'<mergeCells count="{len(self._merged)}">{cells}</mergeCells>')
        self._write("</worksheet>")
        self._flush()


def _views(freeze: int | None) -> str:
    """The sheet view: with ``freeze``, rows 1..freeze stay in view while scrolling."""
    if not freeze:
        return '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    cell = f"A{freeze + 1}"
    pane = (
        f'<pane ySplit="{freeze}" topLeftCell="{cell}" activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="{cell}" sqref="{cell}"/>'
    )
    return f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'


def _cols(widths: Sequence[float]) -> str:
    """Widths in characters, from column A on; a CJK character counts about double."""
    if not widths:
        return ""
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
        for i, w in enumerate(widths, start=1)
    )
    return f"<cols>{cols}</cols>"


def sheet_name(title: str, taken: Iterable[str] = ()) -> str:
    """A name Excel accepts: no []:*?/\\, at most 31 characters, unique in the book."""
    base = _SHEET_NAME_ILLEGAL.sub("_", clean_text(title) or "").strip("'")[:31] or "Sheet"
    taken = {t.lower() for t in taken}
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base[: 31 - len(str(n)) - 1]}~{n}"
    return name


class Book:
    """A workbook streamed into ``target`` (a binary file or buffer), sheet after sheet."""

    def __init__(self, target: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
        self._names: list[str] = []

    @contextmanager
    def sheet(
        self, title: str, *, widths: Sequence[float] = (), freeze: int | None = None
    ) -> Iterator[Sheet]:
        """A new sheet named ``title``: ``widths`` of its columns, ``freeze`` rows kept in
        view. Write its rows inside the ``with``; the next sheet starts after it."""
        self._names.append(sheet_name(title, self._names))
        part = f"xl/worksheets/sheet{len(self._names)}.xml"
        with self._zip.open(part, "w") as stream:
            sheet = Sheet(stream, widths, freeze)
            yield sheet
            sheet.close()

    def close(self) -> None:
        """Write the workbook's parts (sheets, styles, relations) and finish the zip."""
        if not self._names:
            with self.sheet("Sheet"):
                pass
        count = range(1, len(self._names) + 1)
        sheets = "".join(
            f'<sheet name="{_attribute(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in zip(count, self._names, strict=True)
        )
        parts = {
            "[Content_Types].xml": _content_types(len(self._names)),
            "_rels/.rels": _HEAD + f'<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{_CORE_REL}" Target="docProps/core.xml"/>'
            "</Relationships>",
            "docProps/core.xml": _core_properties(campus_id()),
            "xl/workbook.xml": _HEAD
            + f"<workbook {_NS} {_NS_R}><sheets>{sheets}</sheets></workbook>",
            "xl/_rels/workbook.xml.rels": _workbook_rels(len(self._names)),
            "xl/styles.xml": _STYLES,
        }
        for name, text in parts.items():
            self._zip.writestr(name, text.encode("utf-8"))
        self._zip.close()


_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_OFFICE = "application/vnd.openxmlformats-officedocument"


_CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"


def _core_properties(installation: str) -> str:
    """Who wrote the workbook: the platform, and the installation's id as its identifier
    (Excel shows them under 文件 › 信息 › 属性; openpyxl as ``properties.identifier``)."""
    return (
        _HEAD + "<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator>校安平台</dc:creator><dc:identifier>{_escape(installation)}</dc:identifier>"
        "</cp:coreProperties>"
    )


def _content_types(sheets: int) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
        for i in range(1, sheets + 1)
    )
    return (
        _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{_OFFICE}-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" '
        f'ContentType="{_OFFICE}.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_OFFICE}.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f"{overrides}</Types>"
    )


def _workbook_rels(sheets: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    styles = f'<Relationship Id="rId{sheets + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
    return _HEAD + f'<Relationships xmlns="{_PKG_REL}">{rels}{styles}</Relationships>'


def _font(size: int, bold: bool = False) -> str:
    return f'<font>{"<b/>" if bold else ""}<sz val="{size}"/><name val="Calibri"/></font>'


# cellXfs in the order of PLAIN, TITLE, BOLD, TEXT, DATE, DATETIME, WRAP.
_XFS = (
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'applyAlignment="1"><alignment horizontal="center"/></xf>',
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>',
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>',
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>',
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>',
)
_STYLES = (
    _HEAD + f"<styleSheet {_NS}>"
    f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/>'
    f'<numFmt numFmtId="165" formatCode="{DATETIME_FORMAT}"/></numFmts>'
    f'<fonts count="3">{_font(11)}{_font(11, bold=True)}{_font(14, bold=True)}</fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="{len(_XFS)}">{"".join(_XFS)}</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


# --- the pieces every export repeats -----------------------------------------------------------


def write_title(sheet: Sheet, title: str, columns: int) -> None:
    """The next row: the title, bold, centred over ``columns`` merged columns."""
    sheet.append([title], TITLE)
    sheet.merge(1, columns)


def write_header(sheet: Sheet, header: Sequence[str]) -> int:
    """The next row: the bold header; returns its number (freeze it with the sheet's
    ``freeze``)."""
    return sheet.append(header, BOLD)


@contextmanager
def workbook(target: IO[bytes]) -> Iterator[Book]:
    """A workbook streamed into ``target``; finished when the ``with`` ends."""
    book = Book(target)
    yield book
    book.close()


def workbook_bytes(write: Callable[[Book], None]) -> bytes:
    """The bytes of the workbook that ``write`` fills (for files a request carries)."""
    buffer = io.BytesIO()
    with workbook(buffer) as book:
        write(book)
    return buffer.getvalue()
