"""Printable exports of the hazard ledger (整改通知单, 复查验收单) and the labels every
ledger file shows (the spreadsheet 隐患台账 is ``ledger_export``).

Pure rendering: the callers load the hazards and their transitions (any order: they are sorted
by time) and pass the model objects (or anything with the same attributes); nothing here
touches a database.
Times are stored in UTC and shown in campus time; deadlines are campus calendar dates.

Every piece of user text (descriptions, measures, names, comments) is escaped in the PDFs
and kept as text (never a formula) in the spreadsheet.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from services.hazards.domain import (
    CHANGE_SEVERITY,
    EXTEND,
    LEAD_DEPARTMENTS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    Action,
    category_label,
)
from services.hazards.models import Hazard, HazardTransition
from shared.pdf import A4_CONTENT_WIDTH, base_styles, build_a4_pdf, flowing_table, para
from shared.timeutil import campus_time

TIME_FORMAT = "%Y-%m-%d %H:%M"
DATE_FORMAT = "%Y-%m-%d"
NOTICE_TITLE = "隐患整改通知单"
ACCEPTANCE_TITLE = "隐患复查验收单"
LEDGER_SHEET = "隐患台账"
NOT_ACCEPTED = "尚未验收"
ACCEPTANCE_RESULTS = {Action.ACCEPT: "验收通过", Action.REJECT: "验收不通过"}
# Transitions that do not move a hazard forward: the stage alone would hide what happened.
_ACTION_NOTES = {Action.REJECT: "验收不通过", EXTEND: "延期", CHANGE_SEVERITY: "等级调整"}


# --- labels and times ----------------------------------------------------------------------------


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def severity_label(severity: str) -> str:
    return SEVERITY_LABELS.get(severity, severity)


def department_label(code: str | None) -> str:
    return LEAD_DEPARTMENTS.get(code, code) if code else ""


def lead_departments_label(hazard: Hazard) -> str:
    """Every lead department of the hazard (co-leads joined with 、), first lead first."""
    return "、".join(department_label(code) for code in hazard.lead_departments)


def place_label(hazard: Hazard, cell_names: Mapping[str, str] | None = None) -> str:
    """The grid cell (its name when known, else its id) and the free-text location."""
    parts = []
    if hazard.cell_id:
        parts.append((cell_names or {}).get(hazard.cell_id, hazard.cell_id))
    if hazard.location:
        parts.append(hazard.location)
    return " / ".join(parts)


def unit_label(hazard: Hazard, unit_names: Mapping[str, str] | None = None) -> str:
    return (unit_names or {}).get(hazard.unit_code, hazard.unit_code)


def reporter_label(hazard: Hazard, unit_names: Mapping[str, str] | None = None) -> str:
    """The unit or department that reported the hazard (empty: the system, or unknown)."""
    code = hazard.reporter_unit
    if not code:
        return ""
    return (unit_names or {}).get(code) or department_label(code)


def responsible_label(hazard: Hazard) -> str:
    """四落实's 责任人: the one named for remediation, else who answers for the place."""
    return hazard.remediation_person or hazard.responsible_person_name or ""


def stage_label(transition: HazardTransition) -> str:
    label = status_label(transition.to_status)
    note = _ACTION_NOTES.get(transition.action)
    return f"{label}（{note}）" if note else label


def actor_label(transition: HazardTransition) -> str:
    return transition.actor_name or transition.actor


def local_time(moment: datetime, campus_tz: str) -> datetime:
    # Stored times are aware UTC; a naive one (built in memory) is taken as UTC too.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return campus_time(moment, campus_tz)


def _time(moment: datetime | None, campus_tz: str) -> str:
    return local_time(moment, campus_tz).strftime(TIME_FORMAT) if moment else ""


def _date(day: date | None) -> str:
    return day.strftime(DATE_FORMAT) if day else ""


def _in_order(transitions: Iterable[HazardTransition]) -> list[HazardTransition]:
    """Oldest first; ties (same instant) keep the id order, then the given order."""
    floor = datetime.min.replace(tzinfo=UTC)
    return sorted(
        transitions,
        key=lambda t: (
            (t.at if t.at.tzinfo else t.at.replace(tzinfo=UTC)) if t.at else floor,
            t.id or 0,
        ),
    )


def _finder(hazard: Hazard, transitions: Sequence[HazardTransition]) -> str:
    """发现人: the name on the creating transition when there is one, else the account."""
    for t in transitions:
        if t.action == "create" and t.actor == hazard.found_by and t.actor_name:
            return t.actor_name
    return hazard.found_by


def last_acceptance(transitions: Iterable[HazardTransition]) -> HazardTransition | None:
    """The last 验收 decision (accept or reject) among ``transitions``, if any."""
    decisions = [t for t in _in_order(transitions) if t.action in ACCEPTANCE_RESULTS]
    return decisions[-1] if decisions else None


# --- PDF: shared pieces --------------------------------------------------------------------------

_LABEL_WIDTH = 26 * mm
_GRID_STYLE = [
    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
]
_LABEL_FILL = colors.HexColor("#eeeeee")


def _styles() -> dict[str, ParagraphStyle]:
    styles = base_styles()
    styles["number"] = ParagraphStyle("number", styles["base"], alignment=TA_RIGHT)
    styles["section"] = ParagraphStyle(
        "section", styles["heading"], fontSize=12, leading=16, spaceBefore=4 * mm
    )
    return styles


def _fields_table(
    rows: Sequence[Sequence[tuple[str, str]]], styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    """A label/value grid; each row holds one pair (the full width) or two pairs.

    A run of rows of one shape is one table, stacked edge to edge: reportlab splits a row
    taller than a page (a long description) right only when no cell spans columns.
    """
    half = (A4_CONTENT_WIDTH - 2 * _LABEL_WIDTH) / 2
    shapes = {1: [_LABEL_WIDTH, A4_CONTENT_WIDTH - _LABEL_WIDTH], 2: [_LABEL_WIDTH, half] * 2}
    base = styles["base"]
    tables: list[Flowable] = []
    for size, group in itertools.groupby(rows, key=len):
        data = [
            [cell for k, v in pairs for cell in (para(k, base), para(v, base, line_breaks=True))]
            for pairs in group
        ]
        fills = [("BACKGROUND", (c, 0), (c, -1), _LABEL_FILL) for c in range(0, 2 * size, 2)]
        tables.append(flowing_table(data, shapes[size], style=[*_GRID_STYLE, *fills]))
    return tables


def _signatures(labels: Sequence[str], styles: dict[str, ParagraphStyle]) -> Flowable:
    """Lines to sign by hand, and the date."""
    cells = [para(f"{label}：________________", styles["base"]) for label in labels]
    cells.append(para("日期：______年____月____日", styles["base"]))
    width = A4_CONTENT_WIDTH / len(cells)
    table = Table([cells], colWidths=[width] * len(cells))
    table.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 8 * mm)]))
    return KeepTogether([Spacer(0, 6 * mm), table])


def _header(title: str, hazard: Hazard, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    return [
        para(title, styles["title"]),
        Spacer(0, 2 * mm),
        para(f"编号：{hazard.number}", styles["number"]),
        Spacer(0, 2 * mm),
    ]


def _basic_rows(
    hazard: Hazard,
    transitions: Sequence[HazardTransition],
    campus_tz: str,
    unit_names: Mapping[str, str] | None,
    cell_names: Mapping[str, str] | None,
) -> list[list[tuple[str, str]]]:
    return [
        [("隐患编号", hazard.number), ("隐患等级", severity_label(hazard.severity))],
        [("单位", unit_label(hazard, unit_names)), ("网格/场所", place_label(hazard, cell_names))],
        [
            ("隐患类别", category_label(hazard.category)),
            ("牵头部门", lead_departments_label(hazard)),
        ],
        [("发现人", _finder(hazard, transitions)), ("发现时间", _time(hazard.found_at, campus_tz))],
        [("隐患描述", hazard.description)],
    ]


# --- PDF: 隐患整改通知单 -------------------------------------------------------------------------


def rectification_notice_pdf(
    hazard: Hazard,
    transitions: list[HazardTransition],
    campus_tz: str,
    *,
    unit_names: Mapping[str, str] | None = None,
    cell_names: Mapping[str, str] | None = None,
) -> bytes:
    """隐患整改通知单 (A4): the hazard, its deadline, 四落实, the plan when not a quick fix,
    and the lines the issuer and the receiver sign."""
    styles = _styles()
    ordered = _in_order(transitions)
    story: list[Flowable] = _header(NOTICE_TITLE, hazard, styles)
    basic = _basic_rows(hazard, ordered, campus_tz, unit_names, cell_names)
    basic.append([("整改期限", _date(hazard.deadline)), ("当前状态", status_label(hazard.status))])
    story += _fields_table(basic, styles)

    story.append(para("整改要求（四落实）", styles["section"]))
    story.extend(
        _fields_table(
            [
                [("责任人", responsible_label(hazard)), ("整改时限", _date(hazard.deadline))],
                [("整改措施", hazard.measures or "")],
                [("应急预案", hazard.contingency_plan or "")],
            ],
            styles,
        )
    )
    # quick_fix is None only on an object not yet flushed (the column defaults to True).
    if hazard.quick_fix is False or hazard.rectification_plan or hazard.interim_measures:
        story.append(para("整改方案（不能立即整改的隐患）", styles["section"]))
        story.extend(
            _fields_table(
                [
                    [("整改方案", hazard.rectification_plan or "")],
                    [("临时管控措施", hazard.interim_measures or "")],
                ],
                styles,
            )
        )
    story.append(Spacer(0, 3 * mm))
    story.append(
        para(
            "请接到本通知后按上述要求落实整改，于整改期限内完成并申请复查验收；"
            "整改完成前须采取有效防范措施，确保安全。",
            styles["base"],
        )
    )
    story.append(_signatures(("签发人", "接收人"), styles))
    return build_a4_pdf(story, title=f"{NOTICE_TITLE} {hazard.number}", subject=NOTICE_TITLE)


# --- PDF: 隐患复查验收单 -------------------------------------------------------------------------


def _history_table(
    transitions: Sequence[HazardTransition], campus_tz: str, styles: dict[str, ParagraphStyle]
) -> Table:
    small = styles["small"]
    widths = [30 * mm, 30 * mm, 28 * mm, A4_CONTENT_WIDTH - 88 * mm]
    data: list[list[Any]] = [[para(h, small) for h in ("时间", "环节", "操作人", "说明")]]
    data += [
        [
            para(_time(t.at, campus_tz), small),
            para(stage_label(t), small),
            para(actor_label(t), small),
            para(t.comment or "", small, line_breaks=True),
        ]
        for t in transitions
    ] or [[para("（无记录）", small), "", "", ""]]
    table = flowing_table(data, widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                *_GRID_STYLE,
                ("BACKGROUND", (0, 0), (-1, 0), _LABEL_FILL),
                *([("SPAN", (0, 1), (-1, 1))] if not transitions else []),
            ]
        )
    )
    return table


def acceptance_record_pdf(
    hazard: Hazard,
    transitions: list[HazardTransition],
    campus_tz: str,
    *,
    unit_names: Mapping[str, str] | None = None,
    cell_names: Mapping[str, str] | None = None,
) -> bytes:
    """隐患复查验收单 (A4): the hazard, its rectification and evidence, every step of its
    history, the reopen count, the last acceptance decision and who took it, and the lines
    to sign."""
    styles = _styles()
    ordered = _in_order(transitions)
    story: list[Flowable] = _header(ACCEPTANCE_TITLE, hazard, styles)
    basic = _basic_rows(hazard, ordered, campus_tz, unit_names, cell_names)
    basic.append([("整改期限", _date(hazard.deadline)), ("当前状态", status_label(hazard.status))])
    story += _fields_table(basic, styles)

    story.append(para("整改情况", styles["section"]))
    story.extend(
        _fields_table(
            [
                [("整改责任人", responsible_label(hazard))],
                [("整改措施", hazard.measures or "")],
                [("整改佐证", hazard.evidence or "")],
            ],
            styles,
        )
    )

    story.append(para("处理记录", styles["section"]))
    story.append(_history_table(ordered, campus_tz, styles))

    decision = last_acceptance(ordered)
    story.append(para("复查验收", styles["section"]))
    story.extend(
        _fields_table(
            [
                [("复查次数", str(hazard.reopen_count or 0))],
                [
                    (
                        "验收结论",
                        ACCEPTANCE_RESULTS[Action(decision.action)] if decision else NOT_ACCEPTED,
                    ),
                    ("验收人", actor_label(decision) if decision else ""),
                ],
                [("验收时间", _time(decision.at, campus_tz) if decision else "")],
                [("验收意见", (decision.comment or "") if decision else "")],
            ],
            styles,
        )
    )
    story.append(_signatures(("整改责任人", "验收人"), styles))
    return build_a4_pdf(
        story, title=f"{ACCEPTANCE_TITLE} {hazard.number}", subject=ACCEPTANCE_TITLE
    )
