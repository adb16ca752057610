"""The rows of an uploaded table (.xlsx or .csv), read within bounds: the reader of the
grid's roster import and of the education service's class-list import. A careless or
hostile file costs little and is refused in a fraction of a second.

Nothing is read whole. The .xlsx zip is checked before any part of it is inflated (each
part's unpacked size and compression ratio: a zip bomb is refused unread); its sheet is
streamed through expat, cells right of ``MAX_COLUMNS`` skipped unread, the sheet's declared
<dimension> ignored. (openpyxl's reader parses every cell of a row at ~25 µs each, pads
each row to the declared dimension and yields every missing row: a few KB of XML became
gigabytes and minutes.) The CSV is decoded as it is read, a record at most
``MAX_LINE_CHARS`` long (csv's process-wide field limit is never touched). Every bound is
checked as rows arrive: past one, a ``TableTooLarge`` (413) or ``TableUnreadable`` (422,
naming the row and column).

Rows come back in order, numbered as in the spreadsheet (row 1 first), blank ones as [].
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAX_COLUMNS = 32  # columns read; cells further right are skipped
MAX_FIELD_CHARS = 1000  # one cell's text (a roster's longest field is 50)
MAX_LINES = 20_000  # rows looked at, blank ones included
MAX_LINE_CHARS = 64 * 1024  # one line of a CSV
MAX_ELEMENTS = 400_000  # XML elements of a sheet (each cell is two or three)
MAX_PART_BYTES = 16 * 1024 * 1024  # any part of an .xlsx, unpacked
MAX_STRUCTURE_BYTES = 4 * 1024 * 1024  # workbook, relationships, styles: parsed whole
# Shared strings are all parsed before the sheet (~5 µs each): bounded so that the worst
# file costs a fraction of a second. A roster's 5,000 rows have ~3 distinct texts each
# (name, phone, number); places, roles and dates repeat.
MAX_SHARED_STRINGS = 20_000
MAX_SHARED_BYTES = 4 * 1024 * 1024  # unpacked: 20,000 strings of ~60 Chinese characters
MAX_RATIO = 100  # unpacked / packed, for parts over RATIO_FROM
RATIO_FROM = 1024 * 1024
MAX_PARTS = 1000
CHUNK = 64 * 1024
# Built-in number formats that are dates: openpyxl's, and the CJK locales' (27-36, 50-58).
DATE_FORMAT_IDS = frozenset(
    {i for i, code in BUILTIN_FORMATS.items() if is_date_format(code)}
    | set(range(27, 37))
    | set(range(50, 59))
)
# What a damaged or foreign file makes the zip and XML readers raise.
BROKEN = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    EOFError,
    OverflowError,
    expat.ExpatError,
    ElementTree.ParseError,
)
RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
CELL_REF = re.compile(r"([A-Za-z]{1,3})")


class TableError(ValueError):
    """The file cannot be taken as it is; ``detail`` says why, in Chinese."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class TableTooLarge(TableError):
    """More rows, cells or unpacked bytes than a roster can have (413)."""


class TableUnreadable(TableError):
    """Not a table this reader can read, or a row or cell that cannot be (422)."""


def _too_many_lines() -> TableTooLarge:
    return TableTooLarge(
        f"文件超过 {MAX_LINES} 行（空行也计算在内），请删去多余的行，或分成几个文件导入"
    )


def _too_long(row: int, column: int) -> TableUnreadable:
    return TableUnreadable(
        f"第 {row} 行 {get_column_letter(column)} 列的单元格超过 {MAX_FIELD_CHARS} 个字符"
    )


def read_rows(filename: str, content: bytes) -> list[list[Any]]:
    """Every row of the file's (active) sheet, at most ``MAX_COLUMNS`` values each."""
    if filename.lower().endswith(".xlsx"):
        return _xlsx_rows(content)
    if filename.lower().endswith(".csv"):
        return _csv_rows(content)
    raise TableUnreadable("请上传 .xlsx 或 .csv 文件")


# -- csv ----------------------------------------------------------------------------------------
def _csv_rows(content: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            return _csv_decoded(content, encoding)
        except UnicodeDecodeError:
            continue
    raise TableUnreadable("CSV 文件既不是 UTF-8 也不是 GB18030 编码的文本")


def _csv_decoded(content: bytes, encoding: str) -> list[list[Any]]:
    text = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    lines = _Lines(text)
    reader = csv.reader(lines)
    rows: list[list[Any]] = []
    # csv's own field limit is the whole process's (threads would race on it): never set.
    # A record is bounded by _Lines to MAX_LINE_CHARS, under csv's default limit, and each
    # field is measured once the record is parsed.
    while True:
        lines.record_chars = 0
        try:
            values = next(reader, None)
        except (csv.Error, _LineTooLong) as exc:
            raise TableUnreadable(
                f"第 {len(rows) + 1} 行无法读取：这一行过长（超过 {MAX_LINE_CHARS} 个字符），"
                "或引号不成对、含有空字符"
            ) from exc
        if values is None:
            return rows
        if len(rows) >= MAX_LINES:
            raise _too_many_lines()
        values = values[:MAX_COLUMNS]
        for column, value in enumerate(values, start=1):
            if len(value) > MAX_FIELD_CHARS:
                raise _too_long(len(rows) + 1, column)
        rows.append(values)


class _LineTooLong(Exception):
    pass


class _Lines:
    """The file's lines for csv, none longer than a row of short cells can be, nor one
    record (a quoted field runs over lines) longer than ``MAX_LINE_CHARS`` in all: a line
    of millions of commas would otherwise become a list of millions of fields."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self.text = text
        self.record_chars = 0  # reset by the reader before each record

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_LINE_CHARS + 1)
        if not line:
            raise StopIteration
        self.record_chars += len(line)
        if self.record_chars > MAX_LINE_CHARS:
            raise _LineTooLong
        return line


# -- xlsx: the package ----------------------------------------------------------------------------
def _xlsx_rows(content: bytes) -> list[list[Any]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_parts(archive)
            sheet, shared_path, styles_path, epoch = _locate(archive)
            if shared_path and archive.getinfo(shared_path).file_size > MAX_SHARED_BYTES:
                raise _too_many_strings()  # from the zip's directory: nothing inflated
            dates = _date_styles(archive, styles_path) if styles_path else frozenset()
            with archive.open(sheet) as source:
                reader = _SheetReader(dates, epoch)
                rows = reader.read(source)
            if reader.shared_used < 0:
                return rows
            if reader.shared_used >= MAX_SHARED_STRINGS:
                raise _too_many_strings()
            needed = reader.shared_used + 1  # the sheet's strings: read no further
            shared = _shared_strings(archive, shared_path, needed) if shared_path else []
            return _resolve(rows, shared)
    except (*BROKEN, ValueError) as exc:
        if isinstance(exc, TableError):
            raise
        raise TableUnreadable("无法读取这个 .xlsx 工作簿（文件已损坏，或不是 Excel 文件）") from exc


def _check_parts(archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb from its directory, before anything is inflated. (A part's
    declared size is a true bound: zipfile stops inflating there and checks the CRC.)"""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise TableTooLarge(f"工作簿包含的部件超过 {MAX_PARTS} 个")
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > MAX_PART_BYTES or (part.file_size > RATIO_FROM and ratio > MAX_RATIO):
            raise TableTooLarge(
                f"工作簿解压后过大（{part.filename} 为 {part.file_size // (1024 * 1024)} MB），"
                "请只保留名单所在的工作表并另存为新的 .xlsx 文件"
            )


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    if archive.getinfo(name).file_size > MAX_STRUCTURE_BYTES:
        raise TableTooLarge(f"工作簿的 {name} 过大")
    return ElementTree.fromstring(archive.read(name))


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """{id: (type's last word, target path in the zip)} of a part's relationships."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in archive.NameToInfo:
        return {}
    out = {}
    for rel in _xml(archive, rels).iter(RELATIONSHIP):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], posixpath.normpath(path))
    return out


def _locate(archive: zipfile.ZipFile) -> tuple[str, str | None, str | None, Any]:
    """The active sheet's part, the shared strings' and styles' parts, the date epoch."""
    package = _relationships(archive, "")
    book_path = next((p for kind, p in package.values() if kind == "officeDocument"), None)
    if book_path is None:
        raise TableUnreadable("不是 Excel 工作簿（找不到工作簿部件）")
    book = _xml(archive, book_path)
    rels = _relationships(archive, book_path)
    sheets = [
        next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")
        for sheet in book.iter()
        if sheet.tag.endswith("}sheet")
    ]
    views = [v for v in book.iter() if v.tag.endswith("}workbookView")]
    active = int(views[0].get("activeTab", "0")) if views else 0
    if not sheets:
        raise TableUnreadable("工作簿中没有工作表")
    sheet_id = sheets[active] if 0 <= active < len(sheets) else sheets[0]
    if sheet_id not in rels:
        raise TableUnreadable("工作簿的当前工作表无法找到")
    by_kind = {kind: path for kind, path in rels.values()}
    pr = next((p for p in book.iter() if p.tag.endswith("}workbookPr")), None)
    date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    return rels[sheet_id][1], by_kind.get("sharedStrings"), by_kind.get("styles"), epoch


def _date_styles(archive: zipfile.ZipFile, styles_path: str) -> frozenset[int]:
    """The cell style indexes whose number format is a date."""
    styles = _xml(archive, styles_path)
    custom = {
        int(fmt.get("numFmtId", "-1")): fmt.get("formatCode", "")
        for fmt in styles.iter()
        if fmt.tag.endswith("}numFmt")
    }
    xfs = next((x for x in styles.iter() if x.tag.endswith("}cellXfs")), None)
    dates = set()
    for index, xf in enumerate(xfs if xfs is not None else []):
        fmt = int(xf.get("numFmtId", "0"))
        if (fmt in custom and is_date_format(custom[fmt])) or (
            fmt not in custom and fmt in DATE_FORMAT_IDS
        ):
            dates.add(index)
    return frozenset(dates)


def _too_many_strings() -> TableTooLarge:
    return TableTooLarge(
        f"工作簿中的文字过多（超过 {MAX_SHARED_STRINGS} 条或 "
        f"{MAX_SHARED_BYTES // (1024 * 1024)} MB），请只保留名单所在的工作表并另存为新的 .xlsx 文件"
    )


def _shared_strings(archive: zipfile.ZipFile, path: str, needed: int) -> list[str]:
    """The first ``needed`` shared strings, each cut past ``MAX_FIELD_CHARS`` (a cell using
    it is refused)."""
    reader = _SharedStrings(needed)
    parser = _parser(reader.start, reader.end, reader.chars)
    with archive.open(path) as source:
        while len(reader.strings) < needed and (chunk := source.read(CHUNK)):
            try:
                parser.Parse(chunk, False)
            except _Enough:
                break
    return reader.strings


class _Enough(Exception):
    """Every string the sheet uses is read: the rest of the part is not."""


class _SharedRef:
    """A sheet's cell holding shared string ``index``, until the strings are read."""

    __slots__ = ("column", "index", "row")

    def __init__(self, index: int, row: int, column: int) -> None:
        self.index, self.row, self.column = index, row, column


def _resolve(rows: list[list[Any]], shared: list[str]) -> list[list[Any]]:
    """The rows with each shared string reference replaced by its text."""
    for values in rows:
        for position, value in enumerate(values):
            if not isinstance(value, _SharedRef):
                continue
            if value.index >= len(shared):
                raise TableUnreadable(
                    f"第 {value.row} 行 {get_column_letter(value.column)} 列引用了不存在的文字"
                )
            text = shared[value.index]
            if len(text) > MAX_FIELD_CHARS:
                raise _too_long(value.row, value.column)
            values[position] = text
    return rows


class _SharedStrings:
    """expat's handlers for the shared strings part (kept lean: called ~5 times a string)."""

    def __init__(self, needed: int) -> None:
        self.needed = needed
        self.strings: list[str] = []
        self.text: list[str] = []
        self.in_t = False
        self.phonetic = self.length = 0

    def start(self, name: str, attrs: dict) -> None:
        if name.endswith("si"):  # "<namespace> si" or "si"
            self.text, self.length = [], 0
        elif name.endswith("rPh"):  # phonetic guide: not the cell's text
            self.phonetic += 1
        elif (name == "t" or name.endswith(" t")) and not self.phonetic:
            self.in_t = True

    def end(self, name: str) -> None:
        if name.endswith("si"):
            self.strings.append("".join(self.text))
            if len(self.strings) >= self.needed:
                raise _Enough
        elif name.endswith("rPh"):
            self.phonetic -= 1
        elif name == "t" or name.endswith(" t"):
            self.in_t = False

    def chars(self, data: str) -> None:
        if self.in_t and self.length <= MAX_FIELD_CHARS:
            self.text.append(data)
            self.length += len(data)


def _parser(start, end, chars) -> Any:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = chars
    return parser


# -- xlsx: the sheet ------------------------------------------------------------------------------
def _column_index(ref: str | None, previous: int) -> int:
    """1-based column of a cell reference ("AB12"), else the one after the previous cell."""
    match = CELL_REF.match(ref or "")
    if not match:
        return previous + 1
    index = 0
    for letter in match.group(1).upper():
        index = index * 26 + ord(letter) - 64
    return index


class _SheetReader:
    """The rows of a sheet's XML, streamed through expat; bounds checked as it goes."""

    def __init__(self, dates: frozenset[int], epoch: Any) -> None:
        self.dates, self.epoch = dates, epoch
        self.shared_used = -1  # the highest shared string index a cell uses
        self.rows: list[list[Any]] = []
        self.values: list[Any] = []
        self.row = self.column = self.elements = 0
        self.cell: dict[str, Any] | None = None  # the cell being read, if within bounds
        self.text: list[str] = []
        self.length = 0  # characters in self.text
        self.in_text = False
        self.phonetic = 0

    def read(self, source: io.BufferedIOBase) -> list[list[Any]]:
        parser = _parser(self.start, self.end, self.chars)
        while chunk := source.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
        return self.rows

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise TableTooLarge(f"工作表的单元格过多（超过 {MAX_ELEMENTS // 2} 个）")
        local = name.rpartition(" ")[2]
        if local == "row":
            self._start_row(attrs.get("r"))
        elif local == "c":
            self.column = _column_index(attrs.get("r"), self.column)
            self.cell = None
            if self.column <= MAX_COLUMNS:
                self.cell = {"t": attrs.get("t", "n"), "s": attrs.get("s")}
                self.text, self.length = [], 0
        elif local == "rPh":
            self.phonetic += 1
        elif local in ("v", "t") and self.cell is not None and not self.phonetic:
            self.in_text = True

    def _start_row(self, ref: str | None) -> None:
        number = int(ref) if ref and ref.isdigit() else self.row + 1
        number = max(number, self.row + 1)  # rows only go down the sheet
        if number > MAX_LINES:
            raise _too_many_lines()
        while self.row < number - 1:  # rows the file leaves out are blank
            self.rows.append([])
            self.row += 1
        self.row, self.column, self.values = number, 0, []

    def chars(self, data: str) -> None:
        if self.in_text:
            self.text.append(data)
            self.length += len(data)
            if self.length > MAX_FIELD_CHARS:
                raise _too_long(self.row, self.column)

    def end(self, name: str) -> None:
        local = name.rpartition(" ")[2]
        if local in ("v", "t"):
            self.in_text = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "c" and self.cell is not None:
            value = self._value("".join(self.text))
            self.values.extend([None] * (self.column - 1 - len(self.values)))
            if len(self.values) < self.column:
                self.values.append(value)
            self.cell = None
        elif local == "row":
            self.rows.append(self.values)

    def _value(self, text: str) -> Any:
        kind = self.cell["t"] if self.cell else "n"
        if kind == "s":  # resolved once the sheet is read (see _xlsx_rows)
            if not text.strip().isdecimal():
                raise TableUnreadable(
                    f"第 {self.row} 行 {get_column_letter(self.column)} 列引用了不存在的文字"
                )
            index = int(text)
            self.shared_used = max(self.shared_used, index)
            return _SharedRef(index, self.row, self.column)
        if kind == "b":
            return text == "1"
        if kind != "n" or text == "":
            return text or None  # inline and formula strings, errors, ISO dates
        number = float(text)
        style = self.cell.get("s") if self.cell else None
        if style is not None and style.isdigit() and int(style) in self.dates:
            return from_excel(number, self.epoch)
        return int(number) if number.is_integer() else number
