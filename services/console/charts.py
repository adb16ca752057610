"""Inline SVG bar charts, drawn on the server (no script, no external asset).

Each chart is an ``<svg role="img">`` with a title and a description listing every value,
so a screen reader hears the numbers; pages also show them in a table.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

# Each bar under its label, so the drawing is narrow: at 360 units it is drawn about 1:1 on a
# 390 px phone and its 14-unit text stays a readable 14 px (side by side, 590 units, it
# shrank to about 8 px). Wider screens cap it at .chart's max-width.
ROW = 46
BAR_WIDTH = 270
WIDTH = BAR_WIDTH + 90
LABEL_CHARS = 24
BAR_COLOUR = "#1f5f99"  # 7:1 against white
TRACK_COLOUR = "#e6ebf0"
TEXT_COLOUR = "#1a1a1a"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # 0..1, None when nothing was found
    note: str = ""  # e.g. "3/4"


def _fmt(value: float | None) -> str:
    return "无数据" if value is None else f"{value * 100:.0f}%"


def bar_chart(chart_id: str, title: str, bars: list[Bar]) -> Markup:
    if not bars:
        return Markup('<p class="muted">暂无数据</p>')
    height = ROW * len(bars) + 10
    summary = "；".join(f"{b.label} {_fmt(b.value)} {b.note}".strip() for b in bars)
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(summary)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = 5 + i * ROW
        filled = 0 if bar.value is None else max(0.0, min(1.0, bar.value)) * BAR_WIDTH
        label = bar.label if len(bar.label) <= LABEL_CHARS else bar.label[: LABEL_CHARS - 1] + "…"
        parts += [
            f'<text x="0" y="{y + 15}" fill="{TEXT_COLOUR}" font-size="14">{escape(label)}</text>',
            f'<rect x="0" y="{y + 22}" width="{BAR_WIDTH}" height="16" fill="{TRACK_COLOUR}"/>',
            f'<rect x="0" y="{y + 22}" width="{filled:.1f}" height="16" fill="{BAR_COLOUR}"/>',
            f'<text x="{BAR_WIDTH + 8}" y="{y + 35}" fill="{TEXT_COLOUR}" '
            f'font-size="14">{escape(_fmt(bar.value))} {escape(bar.note)}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
