"""Every file of the year-end assessment: 年终考核 as .xlsx, the same breakdown as the JSON —
the scores (a column per phase, 未督查 where no report), every deduction with its flag
(扣分明细), and the rules used (考核办法). Names are written as text: a unit called
``=…`` never becomes a formula."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from services.reporting.assessment.domain import KIND_LABELS, UNSUPERVISED
from services.reporting.domain import FLAG_STATUS_LABELS, RULE_LABELS
from shared.timeutil import campus_time
from shared.xlsx import append_row, set_column_widths, style_header_row, workbook_bytes, write_title


def assessment_xlsx(view: dict, tz: str) -> bytes:
    """The assessment view (``commands.assessment``) as a workbook of three sheets."""
    book = Workbook()
    _scores(book.active, view, tz)
    _deductions(book.create_sheet("扣分明细"), view)
    _rules(book.create_sheet("考核办法"), view)
    return workbook_bytes(book)


def _scores(sheet: Worksheet, view: dict, tz: str) -> None:
    sheet.title = "年终考核"
    phase_names = [p["phase_name"] for p in view["phases"]]
    header = ["单位", "类别", *(f"督查：{n}" for n in phase_names), "起评分", "扣分", "考核得分"]
    write_title(sheet, f"年终考核：{view['campaign_name']}", len(header))
    generated = campus_time(view["generated_at"], tz)
    append_row(sheet, [f"生成时间：{generated:%Y-%m-%d %H:%M}", view["formula"]])
    append_row(sheet, header)
    style_header_row(sheet, 3)
    for row in view["units"]:
        by_phase = {
            p["phase_name"]: UNSUPERVISED if p["average"] is None else p["average"]
            for p in row.get("phases", [])
        }
        append_row(
            sheet,
            [
                row["unit_name"],
                KIND_LABELS.get(row["kind"] or "", row["kind"] or ""),
                *(by_phase.get(n, "不适用") for n in phase_names),
                row.get("starting_score"),
                row.get("deduction"),
                UNSUPERVISED if row["score"] is None else row["score"],
            ],
        )
    set_column_widths(sheet, [26, 10, *([14] * len(phase_names)), 10, 10, 12])


def _deductions(sheet: Worksheet, view: dict) -> None:
    columns = ["单位", "问责记录编号", "问责规则", "状态", "扣分", "依据"]
    write_title(sheet, "扣分明细（每条问责记录及其扣分）", len(columns))
    append_row(sheet, [view["formula"]])
    append_row(sheet, columns)
    style_header_row(sheet, 3)
    for row in view["units"]:
        for d in row["deductions"]:
            append_row(
                sheet,
                [
                    row["unit_name"],
                    d["flag_id"],
                    d["rule_label"],
                    d["status_label"],
                    d["points"],
                    d["summary"],
                ],
            )
    set_column_widths(sheet, [26, 38, 20, 12, 8, 40])


def _rules(sheet: Worksheet, view: dict) -> None:
    write_title(sheet, "考核办法（本专项整治的设置）", 3)
    append_row(sheet, [view["formula"]])
    rules = view.get("rules") or {}
    append_row(sheet, ["项目", "取值", "说明"])
    style_header_row(sheet, 3)
    if rules:
        append_row(sheet, ["起评分（非二级学院）", rules["base"], ""])
        for rule, points in rules["deductions"].items():
            append_row(sheet, ["规则扣分", points, RULE_LABELS.get(rule, rule)])
        for status, factor in rules["status_factors"].items():
            append_row(sheet, ["状态系数", factor, FLAG_STATUS_LABELS.get(status, status)])
    set_column_widths(sheet, [22, 10, 40])
