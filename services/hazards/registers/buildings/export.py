"""The register as an .xlsx with Chinese headers (建筑档案台账)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from services.hazards.registers.buildings import domain
from services.hazards.registers.buildings.models import Building
from shared.xlsx import Book, workbook_bytes, write_header, write_title

HEADER = [
    "建筑名称",
    "单位",
    "建成年份",
    "结构类型",
    "层数",
    "建筑面积（㎡）",
    "使用功能",
    "鉴定日期",
    "鉴定等级",
    "下次鉴定日期",
    "鉴定情况",
    "消防设施",
    "自然灾害风险",
    "疏散图",
]


def register_xlsx(buildings: Iterable[Building], day: date) -> bytes:
    def write(book: Book) -> None:
        widths = [20, 10, 10, 12, 6, 12, 10, 12, 14, 12, 14, 30, 20, 10]
        with book.sheet("建筑档案", widths=widths, freeze=2) as sheet:
            write_title(sheet, f"建筑建档台账（{day}）", len(HEADER))
            write_header(sheet, HEADER)
            for b in buildings:
                grade = b.appraisal_grade
                state = domain.appraisal_state(grade, b.appraisal_due, day)
                sheet.append(
                    [
                        b.name,
                        b.unit_code,
                        b.built_year,
                        domain.STRUCTURE_LABELS[domain.Structure(b.structure)],
                        b.floors,
                        b.area,
                        domain.USE_LABELS[domain.Use(b.use)],
                        b.appraised_on,
                        domain.GRADE_LABELS[domain.Grade(grade)] if grade else None,
                        b.appraisal_due,
                        domain.APPRAISAL_STATE_LABELS[state],
                        b.fire_facilities,
                        "、".join(
                            domain.RISK_FLAG_LABELS[domain.RiskFlag(f)] for f in b.risk_flags or []
                        ),
                        "已上传" if b.drawing_sha256 else "未上传",
                    ]
                )

    return workbook_bytes(write)
