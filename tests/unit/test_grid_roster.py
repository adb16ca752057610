"""Printable grid roster: PDF, HTML and xlsx renderers read back with independent tools.

The PDF is checked with pypdf (text) and pypdfium2 + zxing-cpp (the QR codes as a phone
would see them), the xlsx with openpyxl. Every name, phone and report URL is distinct, so a
renderer that drops a person or draws the wrong QR code fails.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from services.grid.exports import (
    Roster,
    RosterEntry,
    RosterPlace,
    roster_html,
    roster_pdf,
    roster_xlsx,
)
from shared.qr import qr_png, qr_svg

HOSTILE = "<script>alert(1)</script>"
FORMULA = "=1+1"  # openpyxl would store this as a formula unless told otherwise
TITLE = "机电工程学院网格管理人员公示"
SCOPE = "单位：机电工程学院"
CAMPUS_TIME = "2021-11-10 09:00"  # 01:00 UTC in Asia/Shanghai


def _url(cell_id: str) -> str:
    return f"https://campus.example/report?cell={cell_id}"


def _entries(*people: tuple[str, str]) -> tuple[RosterEntry, ...]:
    roles = [
        ("head", "网格负责人"),
        ("safety_officer", "网格安全员"),
        ("responsible", "网格责任人"),
    ]
    return tuple(
        RosterEntry(role, label, name, phone)
        for (role, label), (name, phone) in zip(roles, people, strict=False)
    )


def _place(n: int, building: str, area: str, location: str | None, entries) -> RosterPlace:
    # Fixed-width ids: no URL is a prefix of another (cell=c-01 vs cell=c-010).
    cell_id = f"c-{n:02d}"
    return RosterPlace(
        cell_id=cell_id,
        cell_code=f"JD-{n:03d}",
        name=f"{building}{n}层",
        path=f"机电工程学院 / {building} / {n}层",
        area_type_label=area,
        location=location,
        report_url=_url(cell_id),
        entries=entries,
    )


PLACES = (
    _place(
        1,
        "1号教学楼",
        "教学区",
        "东校区",
        _entries(("张伟", "13812345678"), ("李娜", "0931-8123456")),
    ),
    _place(2, "1号教学楼", "教学区", None, _entries(("王芳", "13912345670"))),
    _place(3, "3号学生公寓", "住宿区", "西校区", ()),  # vacant
    _place(
        4,
        "3号学生公寓",
        "住宿区",
        "西校区",
        _entries(("刘洋", "13712345671"), ("陈静", "0931-8123457"), (HOSTILE, "13612345672")),
    ),
    _place(
        5,
        "实训楼",
        "实验实训区",
        "北区",
        _entries(("杨磊", "15012345673"), (FORMULA, "1501234567")),
    ),
    _place(6, "实训楼", "实验实训区", None, _entries(("赵敏", "18612345674"))),
    _place(7, "食堂", "餐饮区", "中心区", _entries(("黄强", "0931-8123458"))),
)

ROSTER = Roster(
    title=TITLE,
    scope_label=SCOPE,
    generated_at=datetime(2021, 11, 10, 1, 0, tzinfo=UTC),
    campus_timezone="Asia/Shanghai",
    places=PLACES,
)

ENTRIES = [e for p in PLACES for e in p.entries]
NAMES = [e.name for e in ENTRIES]
PHONES = [e.phone for e in ENTRIES]
URLS = {p.report_url for p in PLACES}


def _squash(text: str) -> str:
    # Table cells wrap (and extraction inserts line breaks), so compare without whitespace.
    return "".join(text.split())


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return roster_pdf(ROSTER)


# --- PDF -------------------------------------------------------------------------------------


def test_pdf_text_has_title_time_and_every_person(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) >= 1
    text = _squash("".join(page.extract_text() for page in reader.pages))
    for expected in [TITLE, SCOPE, f"生成时间：{CAMPUS_TIME}", "（空缺）", *NAMES, *PHONES]:
        assert _squash(expected) in text, expected
    for place in PLACES:
        assert _squash(place.path) in text
        assert place.report_url in text


def test_pdf_qr_codes_decode_to_the_report_urls_of_the_places_on_each_page(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        assert len(pdf) == len(reader.pages)
        seen: list[str] = []
        for index, page in enumerate(pdf):
            # Which places landed on this page: their URL is printed under the block.
            page_text = _squash(reader.pages[index].extract_text())
            on_page = sorted(url for url in URLS if url in page_text)
            assert on_page, f"page {index + 1} has no place"
            image = page.render(scale=3).to_pil()
            decoded = sorted(b.text for b in zxingcpp.read_barcodes(image))
            assert decoded == on_page, f"page {index + 1}"
            seen += decoded
    finally:
        pdf.close()
    assert sorted(seen) == sorted(URLS)  # every place once, none lost between pages


def test_pdf_with_no_places_still_renders():
    empty = Roster(TITLE, SCOPE, ROSTER.generated_at, ROSTER.campus_timezone, ())
    reader = PdfReader(io.BytesIO(roster_pdf(empty)))
    assert TITLE in _squash(reader.pages[0].extract_text())


# --- HTML ------------------------------------------------------------------------------------


def test_html_is_a_self_contained_chinese_a4_page():
    html = roster_html(ROSTER)
    assert '<html lang="zh-CN">' in html
    assert "size: A4" in html
    assert "<link" not in html and "src=" not in html and "@import" not in html
    assert TITLE in html and SCOPE in html
    assert f"生成时间：{CAMPUS_TIME}" in html
    assert html.count("扫码上报隐患") == len(PLACES)


def test_html_lists_every_person_and_one_qr_per_place():
    html = roster_html(ROSTER)
    for value in [*NAMES, *PHONES]:
        if value != HOSTILE:
            assert f"<td>{value}</td>" in html, value
    assert html.count("<svg") == len(PLACES)
    for place in PLACES:
        # The inline SVG must be the QR of this place's URL, not just any QR.
        assert qr_svg(place.report_url) in html
        assert place.report_url in html
        assert place.path in html
    assert "（空缺）" in html


def test_html_escapes_names():
    html = roster_html(ROSTER)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_qr_svg_is_inlineable_markup():
    svg = qr_svg(_url("c-01"))
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg and "svg:" not in svg
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert qr_svg(_url("c-02")) != svg


@pytest.mark.parametrize("url", [_url("c-01"), _url("5f0c2a9e-7d1b-4c1e-9a55-0e7f3c2b8d11")])
def test_qr_png_decodes_to_the_url(url):
    png = qr_png(url)
    assert png.startswith(b"\x89PNG")
    decoded = [b.text for b in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert decoded == [url]


# --- XLSX ------------------------------------------------------------------------------------

HEADER = ["序号", "网格编码", "场所", "区域类型", "位置", "角色", "姓名", "联系电话", "上报链接"]


def _sheet():
    wb = openpyxl.load_workbook(io.BytesIO(roster_xlsx(ROSTER)))
    assert wb.sheetnames == ["网格人员"]
    return wb["网格人员"]


def test_xlsx_title_scope_and_frozen_bold_header():
    ws = _sheet()
    assert ws["A1"].value == TITLE
    assert "A1:I1" in {str(r) for r in ws.merged_cells.ranges}
    row2 = [c for c in next(ws.iter_rows(min_row=2, max_row=2, values_only=True)) if c]
    assert row2 == [SCOPE, f"生成时间：{CAMPUS_TIME}"]
    assert [c.value for c in ws[3]] == HEADER
    assert all(c.font.bold for c in ws[3])
    assert ws.freeze_panes == "A4"
    assert all(ws.column_dimensions[col].width >= 6 for col in "ABCDEFGHI")


def test_xlsx_has_one_row_per_entry_and_a_vacant_row():
    ws = _sheet()
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(rows) == len(ENTRIES) + 1  # + the one vacant place
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    people = [(r[1], r[5], r[6], r[7], r[8]) for r in rows if r[5] != "（空缺）"]
    expected = [
        (p.cell_code, e.role_label, e.name, e.phone, p.report_url)
        for p in PLACES
        for e in p.entries
    ]
    assert people == expected
    vacant = [r for r in rows if r[5] == "（空缺）"]
    assert [(r[1], r[2], r[8]) for r in vacant] == [("JD-003", PLACES[2].path, _url("c-03"))]
    assert vacant[0][6] is None and vacant[0][7] is None


def test_xlsx_keeps_user_text_as_text():
    ws = _sheet()
    cells = {c.value: c for row in ws.iter_rows(min_row=4) for c in row if c.value in NAMES}
    assert cells[FORMULA].data_type == "s"  # not a formula
    phones = [r[7] for r in ws.iter_rows(min_row=4, values_only=True) if r[7]]
    assert "0931-8123456" in phones and all(isinstance(p, str) for p in phones)
