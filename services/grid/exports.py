"""File exports of the grid: printable rosters (张贴公示), posted in teaching and dorm
buildings. Exporters are named ``<what>_<format>``.

``Roster`` is built from the grid by queries.build_roster; this module only renders it, as an A4
HTML page, a PDF (Chinese text) and an .xlsx sheet. Each place carries a QR code of
the hazard-report URL of its cell, so a student can report straight to the people on
the poster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jinja2
from markupsafe import Markup
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, TableStyle

from shared.pdf import A4_CONTENT_WIDTH, base_styles, build_a4_pdf, flowing_table, para
from shared.qr import qr_svg
from shared.timeutil import campus_time
from shared.xlsx import PLAIN, TEXT, Book, workbook_bytes, write_header, write_title


@dataclass(frozen=True)
class RosterEntry:
    role: str  # head | safety_officer | responsible
    role_label: str  # 网格负责人 | 网格安全员 | 网格责任人
    name: str
    phone: str


@dataclass(frozen=True)
class RosterPlace:
    cell_id: str
    cell_code: str
    name: str  # 1号教学楼3层
    path: str  # 机电工程学院 / 1号教学楼 / 3层
    area_type_label: str  # 教学区
    location: str | None
    report_url: str  # what the QR code encodes
    entries: tuple[RosterEntry, ...]


@dataclass(frozen=True)
class Roster:
    title: str  # 机电工程学院网格管理人员公示
    scope_label: str  # 单位：机电工程学院 / 区域：住宿区
    generated_at: datetime  # aware, UTC; shown in campus time
    campus_timezone: str
    places: tuple[RosterPlace, ...]


# --- HTML ----------------------------------------------------------------------------------------

_HTML_TEMPLATE = """\
<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{ roster.title }}</title>
<style>
  @page { size: A4; margin: 15mm; }
  * { box-sizing: border-box; }
  body {
    margin: 0; color: #000; background: #fff; font-size: 11pt; line-height: 1.4;
    font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
                 "Microsoft YaHei", "SimSun", sans-serif;
  }
  h1 { font-size: 20pt; text-align: center; margin: 0 0 4mm; }
  .meta { display: flex; justify-content: space-between; font-size: 10pt; margin-bottom: 6mm; }
  .place {
    display: flex; gap: 6mm; border: 0.3mm solid #000; padding: 4mm; margin-bottom: 5mm;
    break-inside: avoid; page-break-inside: avoid;
  }
  .info { flex: 1; min-width: 0; }
  h2 { font-size: 14pt; margin: 0 0 1mm; }
  .code { font-size: 10pt; font-weight: normal; margin-left: 2mm; }
  .path, .where { font-size: 10pt; margin: 0 0 1mm; }
  table { width: 100%; border-collapse: collapse; margin-top: 2mm; }
  th, td { border: 0.2mm solid #000; padding: 1mm 2mm; text-align: left; }
  th { background: #eee; }
  .vacant { text-align: center; color: #555; }
  .qr { width: 34mm; text-align: center; flex: none; }
  .qr svg { width: 32mm; height: 32mm; display: block; margin: 0 auto; }
  .qr .caption { font-weight: bold; font-size: 10pt; }
  .qr .url { font-size: 6pt; word-break: break-all; }
  @media print {
    body { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  }
</style>
</head>
<body>
<h1>{{ roster.title }}</h1>
<div class="meta">
  <span>{{ roster.scope_label }}</span>
  <span>生成时间：{{ generated_at }}</span>
</div>
{% for item in places %}{% set place = item.place %}
<section class="place">
  <div class="info">
    <h2>{{ place.name }}<span class="code">{{ place.cell_code }}</span></h2>
    <p class="path">{{ place.path }}</p>
    <p class="where">区域类型：{{ place.area_type_label }}
      {%- if place.location %}　位置：{{ place.location }}{% endif %}</p>
    <table>
      <thead><tr><th>角色</th><th>姓名</th><th>联系电话</th></tr></thead>
      <tbody>
      {% for entry in place.entries %}
        <tr><td>{{ entry.role_label }}</td><td>{{ entry.name }}</td><td>{{ entry.phone }}</td></tr>
      {% else %}
        <tr><td class="vacant" colspan="3">{{ vacant }}</td></tr>
      {% endfor %}
      </tbody>
    </table>
  </div>
  <div class="qr">
    {{ item.svg }}
    <div class="caption">扫码上报隐患</div>
    <div class="url">{{ place.report_url }}</div>
  </div>
</section>
{% else %}
<p>暂无网格场所。</p>
{% endfor %}
</body>
</html>
"""

VACANT_LABEL = "（空缺）"
_TIME_FORMAT = "%Y-%m-%d %H:%M"

# Autoescape unconditionally: names, places and locations are typed in by users.
_jinja = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_html_template = _jinja.from_string(_HTML_TEMPLATE)


def _generated_at(roster: Roster) -> str:
    return campus_time(roster.generated_at, roster.campus_timezone).strftime(_TIME_FORMAT)


def roster_html(roster: Roster) -> str:
    places = [
        # Markup: the SVG is produced by qrcode from the URL, not copied from user input.
        {"place": place, "svg": Markup(qr_svg(place.report_url))}
        for place in roster.places
    ]
    return _html_template.render(
        roster=roster, places=places, generated_at=_generated_at(roster), vacant=VACANT_LABEL
    )


# --- PDF -----------------------------------------------------------------------------------------

# Font, styles, escaping, footer and the A4 document are shared by every Chinese PDF.
_QR_SIZE = 30 * mm


def _pdf_styles() -> dict[str, ParagraphStyle]:
    styles = base_styles()
    styles["url"] = ParagraphStyle("url", styles["base"], fontSize=6.5, leading=8, wordWrap=None)
    return styles


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    # Paragraph parses an XML-ish markup: para escapes user text like HTML.
    return para(text, style)


def _qr_drawing(url: str) -> Drawing:
    # barBorder=4 is the quiet zone QR readers need, drawn inside the _QR_SIZE square.
    widget = QrCodeWidget(url, barLevel="M", barBorder=4, barWidth=_QR_SIZE, barHeight=_QR_SIZE)
    drawing = Drawing(_QR_SIZE, _QR_SIZE)
    drawing.add(widget)
    return drawing


def _place_flowables(
    place: RosterPlace, styles: dict[str, ParagraphStyle], width: float
) -> list[Flowable]:
    rows: list[list[Any]] = [[_p(h, styles["base"]) for h in ("角色", "姓名", "联系电话")]]
    rows += [
        [_p(e.role_label, styles["base"]), _p(e.name, styles["base"]), _p(e.phone, styles["base"])]
        for e in place.entries
    ] or [[_p(VACANT_LABEL, styles["base"]), "", ""]]
    people_width = width - _QR_SIZE - 8 * mm
    people = flowing_table(rows, [people_width * f for f in (0.35, 0.3, 0.35)], repeatRows=1)
    people.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                *([("SPAN", (0, 1), (-1, 1))] if not place.entries else []),
            ]
        )
    )
    where = f"区域类型：{place.area_type_label}"
    if place.location:
        where += f"　位置：{place.location}"
    info = [
        _p(f"{place.name}　{place.cell_code}", styles["heading"]),
        _p(place.path, styles["small"]),
        _p(where, styles["small"]),
        Spacer(0, 2 * mm),
        people,
    ]
    qr = [_qr_drawing(place.report_url), _p("扫码上报隐患", styles["caption"])]
    block = flowing_table(
        [[info, qr], [_p(place.report_url, styles["url"]), ""]],
        [width - _QR_SIZE - 4 * mm, _QR_SIZE + 4 * mm],
    )
    block.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("SPAN", (0, 1), (-1, 1)),
                ("ALIGN", (0, 1), (-1, 1), "RIGHT"),
            ]
        )
    )
    # KeepTogether: a place's people and its QR code never end up on different pages.
    return [KeepTogether([block, Spacer(0, 5 * mm)])]


def roster_pdf(roster: Roster) -> bytes:
    styles = _pdf_styles()
    story: list[Flowable] = [
        _p(roster.title, styles["title"]),
        _p(f"{roster.scope_label}　　生成时间：{_generated_at(roster)}", styles["meta"]),
    ]
    for place in roster.places:
        story += _place_flowables(place, styles, A4_CONTENT_WIDTH)
    if not roster.places:
        story.append(_p("暂无网格场所。", styles["base"]))
    return build_a4_pdf(story, title=roster.title, subject=roster.scope_label)


# --- XLSX ----------------------------------------------------------------------------------------

_XLSX_SHEET = "网格人员"
# (header, column width in characters); CJK characters count about double.
_XLSX_COLUMNS = (
    ("序号", 6),
    ("网格编码", 14),
    ("场所", 36),
    ("区域类型", 10),
    ("位置", 20),
    ("角色", 12),
    ("姓名", 10),
    ("联系电话", 15),
    ("上报链接", 48),
)
XLSX_HEADER = tuple(header for header, _ in _XLSX_COLUMNS)
_XLSX_HEADER_ROW = 3
# Text format for the phone, so editing it in Excel keeps leading zeros (0931-…).
_STYLES = tuple(TEXT if header == "联系电话" else PLAIN for header in XLSX_HEADER)


def _write_roster(book: Book, roster: Roster) -> None:
    columns = len(XLSX_HEADER)
    widths = [width for _, width in _XLSX_COLUMNS]
    with book.sheet(_XLSX_SHEET, widths=widths, freeze=_XLSX_HEADER_ROW) as sheet:
        write_title(sheet, roster.title, columns)
        sheet.append(
            [roster.scope_label, None, None, None, None, f"生成时间：{_generated_at(roster)}"]
        )
        sheet.merge(1, 5)
        sheet.merge(6, columns)
        write_header(sheet, XLSX_HEADER)
        number = 0
        for place in roster.places:
            people = [(e.role_label, e.name, e.phone) for e in place.entries] or [
                (VACANT_LABEL, None, None)
            ]
            place_cols = (place.cell_code, place.path, place.area_type_label, place.location)
            for role, name, phone in people:
                number += 1
                # User text is written as text, never a formula (formula injection).
                sheet.append([number, *place_cols, role, name, phone, place.report_url], _STYLES)
        sheet.filter_from(_XLSX_HEADER_ROW, columns)


def roster_xlsx(roster: Roster) -> bytes:
    return workbook_bytes(lambda book: _write_roster(book, roster))
