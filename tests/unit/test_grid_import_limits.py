"""Hostile and careless roster files (issue 14, item 3): each is answered in well under a
second with little memory, 413 when it is too large and 422 naming the row when it cannot
be read, instead of a worker eating hundreds of MB, a 500, or a 30-second timeout.

The files are built here, compactly: a tiny .xlsx declaring a huge <dimension>, a CSV of
millions of empty lines, a 1,000,000-row .xlsx, a 200,000-character CSV field, a zip bomb.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from collections.abc import Iterable

import pytest

from tests.support.fixtures import bearer

SO = bearer("security_office")
JD_MANAGER = bearer("unit_manager", unit="JD")
HEADER = "姓名,联系电话,学号,网格编码,角色,生效日期\n"
ROW = "李娜,13900001111,2021001,JD-B1,网格安全员,2021-09-01\n"
SECOND = 1.0
# What the request itself holds of an upload (the test client's body, the form parser's
# copy, the view's read): a reader that streams adds little on top of it.
COPIES_OF_THE_FILE = 4
OVERHEAD = 24 * 1024 * 1024


@pytest.fixture
def grid(make_app):
    client = make_app("grid").test_client()
    posts = [
        ("/units", {"code": "JD", "name": "机电工程学院", "kind": "college"}),
        ("/cells", {"code": "LZXD", "name": "兰州现代职业学院", "area_type": "campus"}),
    ]
    for url, body in posts:
        assert client.post(url, json=body, headers=SO).status_code == 201
    root = client.get("/cells", headers=SO).get_json()[0]["id"]
    unit = {"code": "JD", "name": "JD", "area_type": "unit", "parent_id": root, "unit_code": "JD"}
    unit_id = client.post("/cells", json=unit, headers=SO).get_json()["id"]
    place = {"code": "JD-B1", "name": "1号教学楼", "area_type": "teaching", "parent_id": unit_id}
    assert client.post("/cells", json=place, headers=JD_MANAGER).status_code == 201
    return client


def post(client, content: bytes, name: str):
    return client.post(
        "/units/JD/roster-import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=JD_MANAGER,
    )


def upload(client, content: bytes, name: str):
    """POST the file twice: (response, seconds it took, peak bytes allocated the second
    time). Tracing allocations slows Python down several times, so it is not timed."""
    started = time.perf_counter()
    response = post(client, content, name)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    try:
        again = post(client, content, name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert again.status_code == response.status_code
    return response, elapsed, peak


def assert_cheap(content: bytes, elapsed: float, peak: int) -> None:
    assert elapsed < SECOND, f"answered in {elapsed:.2f} s"
    limit = COPIES_OF_THE_FILE * len(content) + OVERHEAD
    assert peak < limit, f"peak {peak / 2**20:.0f} MB for a {len(content) / 2**20:.1f} MB file"


# -- building .xlsx files by hand -----------------------------------------------------------
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
        '<sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
}


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def roster_row(number: int, cells: Iterable[str]) -> str:
    return f'<row r="{number}">' + "".join(
        inline(f"{column}{number}", text) for column, text in zip("ABCDEF", cells, strict=False)
    )


HEADER_ROW = roster_row(1, HEADER.strip().split(",")) + "</row>"
DATA_ROW = roster_row(2, ROW.strip().split(",")) + "</row>"


def xlsx(sheet_chunks: Iterable[str], shared_strings: Iterable[str] = ("",)) -> bytes:
    """A workbook whose one sheet and shared strings are the given XML, written in chunks
    (so that a million rows never sit in memory as one string)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in XLSX_PARTS.items():
            archive.writestr(name, text)
        parts = {
            "xl/worksheets/sheet1.xml": sheet_chunks,
            "xl/sharedStrings.xml": [f'<sst xmlns="{MAIN}">', *shared_strings, "</sst>"],
        }
        for name, chunks in parts.items():
            with archive.open(name, "w", force_zip64=True) as part:
                part.write(b'<?xml version="1.0" encoding="UTF-8"?>')
                for chunk in chunks:
                    part.write(chunk.encode())
    return out.getvalue()


def sheet(dimension: str, rows: Iterable[str]) -> Iterable[str]:
    yield f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/><sheetData>'
    yield from rows
    yield "</sheetData></worksheet>"


# -- the files ------------------------------------------------------------------------------
def test_a_tiny_workbook_declaring_a_huge_sheet_is_read_for_the_rows_it_has(grid):
    """openpyxl padded every row to the declared <dimension> (16,384 columns here): a few
    thousand empty rows of a 20 KB file became hundreds of MB."""
    empty = (f'<row r="{n}"/>' for n in range(3, 4003))
    content = xlsx(sheet("A1:XFD4002", [HEADER_ROW, DATA_ROW, *empty]))
    assert len(content) < 32 * 1024
    response, elapsed, peak = upload(grid, content, "名单.xlsx")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["assignments_created"] == 1
    assert_cheap(content, elapsed, peak)


def test_a_csv_of_millions_of_empty_lines_is_a_413_at_once(grid):
    content = (HEADER + ROW + "\n" * 4_000_000).encode()
    response, elapsed, peak = upload(grid, content, "roster.csv")
    assert response.status_code == 413, response.get_json()
    assert response.content_type == "application/problem+json"
    assert "行" in response.get_json()["detail"]  # says what is too many, in Chinese
    assert_cheap(content, elapsed, peak)


def test_a_million_row_workbook_is_a_413_at_once(grid):
    rows = (
        "".join(
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{n}</t></is></c></row>'
            for n in range(start, start + 10_000)
        )
        for start in range(2, 1_000_002, 10_000)
    )
    content = xlsx(sheet("A1:F1000001", [HEADER_ROW, *rows]))
    response, elapsed, peak = upload(grid, content, "名单.xlsx")
    assert response.status_code == 413, response.get_json()
    assert_cheap(content, elapsed, peak)


def test_a_workbook_that_inflates_to_gigabytes_of_text_is_a_413_before_it_is_parsed(grid):
    """A zip bomb: one shared string of 100 million characters (300 MB) compresses to a
    few hundred KB."""
    huge = "<si><t>" + "张" * 1_000_000  # 3 MB of UTF-8 a chunk
    bomb = (huge if i == 0 else "张" * 1_000_000 for i in range(100))
    rows = [HEADER_ROW, '<row r="2"><c r="A2" t="s"><v>0</v></c></row>']
    content = xlsx(sheet("A1:F2", rows), [*bomb, "</t></si>"])
    assert len(content) < 1024 * 1024
    response, elapsed, peak = upload(grid, content, "名单.xlsx")
    assert response.status_code == 413, response.get_json()
    assert_cheap(content, elapsed, peak)


def test_a_csv_field_longer_than_any_roster_cell_is_a_422_naming_its_row(grid):
    """Past csv's own limit (131,072 characters) the reader raised csv.Error: a 500."""
    content = (HEADER + ROW + "王" + "五" * 200_000 + ",13900002222,,JD-B1,网格安全员,\n").encode()
    response, elapsed, peak = upload(grid, content, "roster.csv")
    assert response.status_code == 422, response.get_json()
    problem = response.get_json()
    assert "第 3 行" in problem["detail"], problem
    assert_cheap(content, elapsed, peak)


def test_a_workbook_cell_longer_than_any_roster_cell_is_a_422_naming_row_and_column(grid):
    long_row = roster_row(2, ["赵" * 5000, "13900002222", "", "JD-B1", "网格安全员"]) + "</row>"
    content = xlsx(sheet("A1:F2", [HEADER_ROW, long_row]))
    response, elapsed, peak = upload(grid, content, "名单.xlsx")
    assert response.status_code == 422, response.get_json()
    assert "第 2 行" in response.get_json()["detail"] and "A 列" in response.get_json()["detail"]
    assert_cheap(content, elapsed, peak)


def test_blank_lines_between_rows_are_skipped_and_rows_keep_their_numbers(grid):
    """Careless, not hostile: a few blank lines stay fine, and errors name the true row."""
    bad = "王五,1234,2021002,JD-B1,网格安全员,2021-09-01\n"
    content = (HEADER + ROW + "\n" * 50 + ",,,,,\n" * 50 + bad).encode()
    response, _, _ = upload(grid, content, "roster.csv")
    assert response.status_code == 422, response.get_json()
    assert [(e["row"], e["column"]) for e in response.get_json()["row_errors"]] == [
        (103, "联系电话")
    ]
