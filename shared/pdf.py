"""What every Chinese PDF of the project needs: the CJK font, base styles, safe paragraphs,
the page footer and an A4 document that renders to bytes.

The font is Adobe's built-in CID font STSong-Light: no font file to ship, text stays
extractable. It is not embedded, so viewers substitute a local Song/Ming face (every
mainstream viewer in China has one).

Used by the grid's printed rosters and the hazard ledger's notices and records.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table

FONT = "STSong-Light"
PAGE_MARGIN = 15 * mm
# The frame width of build_a4_pdf's documents: lay tables out against it.
A4_CONTENT_WIDTH = A4[0] - 2 * PAGE_MARGIN


@functools.cache
def register_font() -> str:
    """Register the CJK font with reportlab (once per process); returns its name."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def base_styles() -> dict[str, ParagraphStyle]:
    """The project's paragraph styles, all in the CJK font with CJK line breaking.

    A new dict (and new styles) on each call: callers may add or derive their own styles.
    """
    font = register_font()
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=14, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", base, fontSize=18, leading=24, alignment=TA_CENTER),
        "meta": ParagraphStyle("meta", base, fontSize=10, spaceAfter=4 * mm),
        "heading": ParagraphStyle("heading", base, fontSize=13, leading=18, spaceAfter=1 * mm),
        "small": ParagraphStyle("small", base, fontSize=9, leading=12),
        "caption": ParagraphStyle("caption", base, fontSize=9, leading=12, alignment=TA_CENTER),
    }


def para(text: str, style: ParagraphStyle, *, line_breaks: bool = False) -> Paragraph:
    """A Paragraph of plain (user) text: escaped, so it is never read as markup.

    Paragraph parses an XML-ish markup, so ``<b>x</b>`` or ``&`` typed by a user must be
    escaped like HTML. With ``line_breaks``, the text's own line breaks are kept (Paragraph
    otherwise folds them into spaces).
    """
    escaped = escape(text)
    if line_breaks:
        escaped = "<br/>".join(escaped.splitlines())
    return Paragraph(escaped, style)


def flowing_table(
    data: Sequence[Sequence[Any]], col_widths: Sequence[float], **options: Any
) -> Table:
    """A Table that may break across pages between rows and inside a row.

    User text is long (a 4,000-character description, a place with 200 people): a row
    taller than the page would otherwise stop the whole document with a LayoutError.
    ``options`` go to Table (``repeatRows=1`` repeats a header row on every page).
    """
    return Table(data, colWidths=list(col_widths), splitByRow=1, splitInRow=1, **options)


def page_footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    """onPage callback: "第 N 页" centred in the bottom margin."""
    canvas.saveState()
    canvas.setFont(register_font(), 8)
    canvas.drawCentredString(doc.pagesize[0] / 2, PAGE_MARGIN / 2, f"第 {doc.page} 页")
    canvas.restoreState()


def build_a4_pdf(story: Sequence[Flowable], *, title: str, subject: str | None = None) -> bytes:
    """Lay ``story`` out on A4 pages (15 mm margins, page footer); the PDF's bytes.

    The frame is ``A4_CONTENT_WIDTH`` wide. ``title`` and ``subject`` go to the document
    properties (what a viewer shows in its title bar), the language is zh-CN.
    """
    register_font()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=PAGE_MARGIN,
        title=title,
        subject=subject,
        lang="zh-CN",
    )
    doc.build(list(story), onFirstPage=page_footer, onLaterPages=page_footer)
    return buf.getvalue()
