"""Every file of the year-end assessment: 年终考核 as .xlsx, the same breakdown as the JSON —
the scores (a column per phase, 未督查 where no report), every deduction with its flag
(扣分明细), and the rules used (考核办法). Names are written as text: a unit called
``=…`` never becomes a formula."""

from __future__ import annotations

from services.reporting.assessment.domain import KIND_LABELS, UNSUPERVISED
from services.reporting.domain import FLAG_STATUS_LABELS, RULE_LABELS
from shared.timeutil import campus_time
from shared.xlsx import Book, workbook_bytes, write_header, write_title


def assessment_xlsx(view: dict, tz: str) -> bytes:
    """The assessment view (``commands.assessment``) as a workbook of three sheets."""

    def write(book: Book) -> None:
        _scores(book, view, tz)
        _deductions(book, view)
        _rules(book, view)

    return workbook_bytes(write)


def _scores(book: Book, view: dict, tz: str) -> None:
    phase_names = [p["phase_name"] for p in view["phases"]]
    header = ["单位", "类别", *(f"督查：{n}" for n in phase_names), "起评分", "扣分", "考核得分"]
    widths = [26, 10, *([14] * len(phase_names)), 10, 10, 12]
    with book.sheet("年终考核", widths=widths, freeze=3) as sheet:
        write_title(sheet, f"年终考核：{view['campaign_name']}", len(header))
        generated = campus_time(view["generated_at"], tz)
        sheet.append([f"生成时间：{generated:%Y-%m-%d %H:%M}", view["formula"]])
        write_header(sheet, header)
        for row in view["units"]:
            by_phase = {
                p["phase_name"]: UNSUPERVISED if p["average"] is None else p["average"]
                for p in row.get("phases", [])
            }
            sheet.append(
                [
                    row["unit_name"],
                    KIND_LABELS.get(row["kind"] or "", row["kind"] or ""),
                    *(by_phase.get(n, "不适用") for n in phase_names),
                    row.get("starting_score"),
                    row.get("deduction"),
                    UNSUPERVISED if row["score"] is None else row["score"],
                ]
            )


def _deductions(book: Book, view: dict) -> None:
    columns = ["单位", "问责记录编号", "问责规则", "状态", "扣分", "依据"]
    with book.sheet("扣分明细", widths=[26, 38, 20, 12, 8, 40], freeze=3) as sheet:
        write_title(sheet, "扣分明细（每条问责记录及其扣分）", len(columns))
        sheet.append([view["formula"]])
        write_header(sheet, columns)
        for row in view["units"]:
            for d in row["deductions"]:
                fields = ("flag_id", "rule_label", "status_label", "points", "summary")
                sheet.append([row["unit_name"], *(d[f] for f in fields)])


def _rules(book: Book, view: dict) -> None:
    with book.sheet("考核办法", widths=[22, 10, 40], freeze=3) as sheet:
        write_title(sheet, "考核办法（本专项整治的设置）", 3)
        sheet.append([view["formula"]])
        rules = view.get("rules") or {}
        write_header(sheet, ["项目", "取值", "说明"])
        if rules:
            sheet.append(["起评分（非二级学院）", rules["base"], ""])
            for rule, points in rules["deductions"].items():
                sheet.append(["规则扣分", points, RULE_LABELS.get(rule, rule)])
            for status, factor in rules["status_factors"].items():
                sheet.append(["状态系数", factor, FLAG_STATUS_LABELS.get(status, status)])
