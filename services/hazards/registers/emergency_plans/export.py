"""The register as an .xlsx with Chinese headers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from services.hazards.registers.emergency_plans import domain
from services.hazards.registers.emergency_plans.models import EmergencyPlan
from shared.xlsx import Book, workbook_bytes, write_header, write_title

HEADER = [
    "单位",
    "预案类别",
    "预案名称",
    "版本号",
    "批准人",
    "批准日期",
    "修订（评审）期限",
    "演练周期（天）",
    "最近演练日期",
    "下次演练期限",
    "状态",
    "超期情况",
]


def register_xlsx(plans: Iterable[EmergencyPlan], day: date) -> bytes:
    def write(book: Book) -> None:
        widths = [10, 14, 30, 10, 10, 12, 14, 10, 12, 12, 10, 20]
        with book.sheet("应急预案", widths=widths, freeze=2) as sheet:
            write_title(sheet, f"应急预案台账（{day}）", len(HEADER))
            write_header(sheet, HEADER)
            for p in plans:
                found = domain.lapses(p.status, p.next_drill_due, p.review_due, day)
                sheet.append(
                    [
                        p.unit_code,
                        domain.SCENARIO_LABELS[domain.Scenario(p.scenario)],
                        p.title,
                        p.edition,
                        p.approved_by,
                        p.approved_on,
                        p.review_due,
                        p.drill_period_days,
                        p.last_drilled_on,
                        p.next_drill_due,
                        domain.PLAN_STATUS_LABELS[domain.PlanStatus(p.status)],
                        "；".join(domain.LAPSE_LABELS[lapse] for lapse in found) or "正常",
                    ]
                )

    return workbook_bytes(write)
