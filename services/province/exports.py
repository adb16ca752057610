"""The province's spreadsheet (Chinese headers): each college's newest figures with the
province's totals, and each due date's late and missing colleges."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.timeutil import campus_time
from shared.xlsx import BOLD, Book, workbook_bytes, write_header, write_title

FIGURE_HEADERS = (
    ("open_at_start", "期初未整改"),
    ("found", "本期发现"),
    ("closed_in_period", "本期整改"),
    ("open_at_end", "期末未整改"),
    ("cumulative_found", "累计发现"),
    ("cumulative_closed", "累计整改"),
    ("cumulative_rate", "累计整改率"),
    ("overdue_at_end", "期末逾期未整改"),
    ("major", "本期重大隐患"),
)


STATUSES = ("on_time", "late", "missing", "waiting")


def _cells(figures: dict[str, Any]) -> list:
    out = []
    for key, _ in FIGURE_HEADERS:
        value = figures.get(key)
        out.append(f"{value:.1%}" if key.endswith("rate") and value is not None else value)
    return out


def province_xlsx(
    totals: dict, dues: list[dict], flags: list[dict], generated_at: datetime, tz: str
) -> bytes:
    stamp = f"生成时间：{campus_time(generated_at, tz):%Y-%m-%d %H:%M}"

    def write(book: Book) -> None:
        header = ["学校", "统计期", *(label for _, label in FIGURE_HEADERS)]
        with book.sheet("各校汇总", widths=(26, 24), freeze=3) as sheet:
            write_title(sheet, "校园安全专项整治 各校隐患整改汇总", len(header))
            sheet.append([f"学校数：{totals['colleges']}", stamp])
            write_header(sheet, header)
            for row in totals["by_college"]:
                period = f"{row['period_start']}至{row['period_end']}"
                sheet.append([row["name"], period, *_cells(row["figures"])])
            sheet.append(["全省合计", "", *_cells(totals["totals"])], BOLD)
        header = ["报送截止日", "按时报送", "逾期报送", "未报送", "未到期"]
        with book.sheet("报送情况", widths=(14, 40, 40, 40, 40), freeze=3) as sheet:
            write_title(sheet, "各校统计表报送情况", len(header))
            sheet.append([stamp])
            write_header(sheet, header)
            for due in dues:
                sheet.append(
                    [
                        due["due_on"].isoformat(),
                        *(
                            "、".join(c["name"] for c in due[k])
                            for k in ("on_time", "late", "missing", "waiting")
                        ),
                    ]
                )

        header = ["学校", "问责事由", "日期", "隐患编号"]
        with book.sheet("问责", widths=(26, 20, 14, 18), freeze=3) as sheet:
            write_title(sheet, "各校问责情况", len(header))
            sheet.append([stamp])
            write_header(sheet, header)
            for flag in flags:
                sheet.append(
                    [flag["name"], flag["label"], flag["due_on"].isoformat(), flag["number"]]
                )

    return workbook_bytes(write)
