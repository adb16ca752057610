"""Every spreadsheet of the statistics (Chinese headers), one ``<what>_xlsx`` function
each, returning the file's bytes: the statistics export, the unit's
《校园安全专项整治工作隐患问题统计表》 for one reporting period, the campaign's tables per
period, 月汇总 (monthly summary) and 周整改 (weekly due/late list)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from shared import hazard_stages as stages
from shared.timeutil import campus_time
from shared.vocabulary import category_label
from shared.xlsx import BOLD, Book, Sheet, workbook_bytes, write_header, write_title

TABLE_TITLE = "校园安全专项整治工作隐患问题统计表"
MEASURE_HEADERS = (
    ("found", "排查隐患数"),
    ("major", "其中重大隐患"),
    ("rectified", "已整改"),
    ("in_remediation", "整改中"),
    ("overdue", "逾期未整改"),
    ("rectification_rate", "整改率"),
    ("average_days_to_close", "平均整改天数"),
)
# The province's columns: a period reconciles (期初未整改 + 本期发现 − 本期整改 = 期末未整改).
PERIOD_HEADERS = (
    ("open_at_start", "期初未整改"),
    ("found", "本期发现"),
    ("closed_in_period", "本期整改"),
    ("open_at_end", "期末未整改"),
    ("cumulative_found", "累计发现"),
    ("cumulative_closed", "累计整改"),
    ("cumulative_rate", "累计整改率"),
)
CLOSED_NOTE = "整改以销号时间计"
KEY_HEADERS = {"unit": "单位", "category": "隐患类别", "severity": "隐患等级"}
SEVERITY_LABELS = stages.SEVERITY_LABELS


def _label(group_by: str, key: str, unit_names: dict[str, str]) -> str:
    if group_by == "category":
        return category_label(key)
    if group_by == "severity":
        return SEVERITY_LABELS.get(key, key)
    return unit_names.get(key, key)


def _measure_cells(row: dict) -> list:
    cells = []
    for key, _ in MEASURE_HEADERS:
        value = row.get(key)
        cells.append(f"{value:.1%}" if key == "rectification_rate" and value is not None else value)
    return cells


def _period_cells(row: dict, headers=None) -> list:
    cells = []
    for key, _ in headers or PERIOD_HEADERS:
        value = row.get(key)
        cells.append(f"{value:.1%}" if key.endswith("rate") and value is not None else value)
    return cells


UNIT_WIDTHS = (26, 24)  # 单位, 隐患类别


@contextmanager
def _sheet(
    book: Book,
    title: str,
    subtitle: list[str],
    header: list[str],
    widths: Sequence[float] = (26,),
    name: str | None = None,
) -> Iterator[Sheet]:
    """A sheet of ``book``: the title, the subtitle row, the bold header kept in view."""
    with book.sheet(name or title, widths=widths, freeze=3) as sheet:
        write_title(sheet, title, len(header))
        sheet.append(subtitle)
        write_header(sheet, header)
        yield sheet


def statistics_xlsx(
    rows: list[dict],
    totals: dict,
    group_by: str,
    unit_names: dict[str, str],
    scope: str,
    generated_at: datetime,
    tz: str,
) -> bytes:
    header = [KEY_HEADERS[group_by], *(label for _, label in MEASURE_HEADERS)]
    subtitle = [scope, f"生成时间：{campus_time(generated_at, tz):%Y-%m-%d %H:%M}"]

    def write(book: Book) -> None:
        with _sheet(book, "隐患统计", subtitle, header) as sheet:
            for row in rows:
                sheet.append([_label(group_by, row["key"], unit_names), *_measure_cells(row)])
            sheet.append(["合计", *_measure_cells(totals)], BOLD)

    return workbook_bytes(write)


def statistics_table(snapshot: dict, unit_name: str, generated_at: datetime, tz: str) -> dict:
    """The unit's table for one period as it is printed (the .xlsx and the console's preview
    show the same cells): one row per category, totals, period, time; then the province's
    columns (carried over, found, closed, left open; since the campaign's start). A table
    submitted before those columns existed leaves them empty."""
    header = [
        "序号",
        "隐患类别",
        *(label for _, label in MEASURE_HEADERS),
        *(label for _, label in PERIOD_HEADERS),
    ]
    subtitle = [
        f"填报单位：{unit_name}",
        f"统计期间：{snapshot['period_start']} 至 {snapshot['period_end']}",
        f"生成时间：{campus_time(generated_at, tz):%Y-%m-%d %H:%M}",
    ]
    if snapshot.get("campaign_start"):
        subtitle.append(f"累计自：{snapshot['campaign_start']}（{CLOSED_NOTE}）")
    totals = snapshot["totals"]
    rows = [
        [index, category_label(row["key"]), *_measure_cells(row), *_period_cells(row)]
        for index, row in enumerate(snapshot["rows"], start=1)
    ]
    return {
        "title": TABLE_TITLE,
        "unit_name": unit_name,
        "subtitle": subtitle,
        "header": header,
        "rows": rows,
        "totals": ["", "合计", *_measure_cells(totals), *_period_cells(totals)],
    }


def _write_table(book: Book, table: dict, name: str | None = None) -> None:
    with _sheet(
        book, table["title"], table["subtitle"], table["header"], UNIT_WIDTHS, name
    ) as sheet:
        for row in table["rows"]:
            sheet.append(row)
        sheet.append(table["totals"], BOLD)


def statistics_table_xlsx(snapshot: dict, unit_name: str, generated_at: datetime, tz: str) -> bytes:
    table = statistics_table(snapshot, unit_name, generated_at, tz)
    return workbook_bytes(lambda book: _write_table(book, table))


def statistics_tables_xlsx(tables: list[dict], empty_note: str) -> bytes:
    """Every submitted table of a due date in one workbook: a sheet per unit, named after it
    (one sheet saying so when none was submitted)."""

    def write(book: Book) -> None:
        for table in tables:
            _write_table(book, table, table["unit_name"])
        if not tables:
            with book.sheet(TABLE_TITLE) as sheet:
                write_title(sheet, TABLE_TITLE, 3)
                sheet.append([empty_note])

    return workbook_bytes(write)


# -- the campus's tables: per period, per month (月汇总), per week (周整改) --------------------
MONTHLY_HEADERS = (
    ("open_at_start", "上月结转未整改"),
    ("found", "本月发现"),
    ("closed_in_period", "本月整改"),
    ("open_at_end", "月末未整改"),
    ("overdue_at_end", "其中逾期未整改"),
    ("major", "本月发现重大隐患"),
)
STATE_LABELS = {"due": "本周到期", "overdue": "已逾期"}


def _by_unit_rows(sheet: Sheet, report: dict, headers) -> None:
    """Each unit's categories and its subtotal, then the campus by category and in total."""
    for unit in report["units"]:
        name = unit["unit_name"]
        for row in unit["rows"]:
            sheet.append([name, category_label(row["key"]), *_period_cells(row, headers)])
        sheet.append([name, "小计", *_period_cells(unit["totals"], headers)], BOLD)
    for row in report["by_category"]:
        sheet.append(["全校", category_label(row["key"]), *_period_cells(row, headers)])
    sheet.append(["全校", "合计", *_period_cells(report["totals"], headers)], BOLD)


def period_tables_xlsx(tables: dict, generated_at: datetime, tz: str) -> bytes:
    """The campaign's tables: one sheet per period, each unit by category, and the campus."""
    header = ["单位", "隐患类别", *(label for _, label in PERIOD_HEADERS)]
    generated = f"生成时间：{campus_time(generated_at, tz):%Y-%m-%d %H:%M}"

    def write(book: Book) -> None:
        for period in tables["periods"]:
            subtitle = [
                f"统计期间：{period['period_start']} 至 {period['period_end']}",
                f"累计自：{tables['campaign_start']}（{CLOSED_NOTE}）",
                generated,
            ]
            name = f"{period['period_start']:%m%d}-{period['period_end']:%m%d}"
            with _sheet(book, TABLE_TITLE, subtitle, header, UNIT_WIDTHS, name) as sheet:
                _by_unit_rows(sheet, period, PERIOD_HEADERS)

    return workbook_bytes(write)


def monthly_xlsx(report: dict, generated_at: datetime, tz: str) -> bytes:
    """月汇总: each unit by category and the campus, for one campus-calendar month."""
    header = ["单位", "隐患类别", *(label for _, label in MONTHLY_HEADERS)]
    title = f"隐患排查治理月汇总（{report['month']:%Y年%m月}）"
    subtitle = [
        f"统计期间：{report['period_start']} 至 {report['period_end']}（{CLOSED_NOTE}）",
        f"生成时间：{campus_time(generated_at, tz):%Y-%m-%d %H:%M}",
    ]

    def write(book: Book) -> None:
        with _sheet(book, title, subtitle, header, UNIT_WIDTHS) as sheet:
            _by_unit_rows(sheet, report, MONTHLY_HEADERS)

    return workbook_bytes(write)


WEEKLY_HEADER = (
    "序号",
    "单位",
    "隐患编号",
    "隐患类别",
    "隐患等级",
    "当前环节",
    "发现时间",
    "整改期限",
    "状态",
    "逾期天数",
    "整改责任人",
)
WEEKLY_WIDTHS = (6, 24, 18, 20, 10, 10, 18, 12, 10, 10, 12)


def _weekly_row(index: int, unit: dict, item: dict, tz: str) -> list:
    return [
        index,
        unit["unit_name"],
        item["number"],
        category_label(item["category"]),
        SEVERITY_LABELS.get(item["severity"], item["severity"]),
        stages.STAGE_LABELS.get(item["status"], item["status"]),
        f"{campus_time(item['found_at'], tz):%Y-%m-%d %H:%M}",
        item["deadline"].isoformat(),
        STATE_LABELS[item["state"]],
        item["days_overdue"],
        item["responsible_person_name"],
    ]


def weekly_xlsx(report: dict, generated_at: datetime, tz: str) -> bytes:
    """周整改: every hazard due in the week or already late, by unit."""
    year, week, _ = report["week_start"].isocalendar()
    subtitle = [
        f"本周：{report['week_start']} 至 {report['week_end']}",
        f"统计截至：{campus_time(report['as_of'], tz):%Y-%m-%d %H:%M}（{CLOSED_NOTE}）",
        f"生成时间：{campus_time(generated_at, tz):%Y-%m-%d %H:%M}",
    ]
    totals = report["totals"]

    def write(book: Book) -> None:
        title = f"隐患周整改清单（{year}年第{week}周）"
        with _sheet(book, title, subtitle, list(WEEKLY_HEADER), WEEKLY_WIDTHS) as sheet:
            index = 0
            for unit in report["units"]:
                for item in unit["items"]:
                    index += 1
                    sheet.append(_weekly_row(index, unit, item, tz))
            summary = f"本周到期 {totals['due']} 项，已逾期 {totals['overdue']} 项"
            sheet.append(["", "合计", summary], BOLD)

    return workbook_bytes(write)


# -- 问责记录 ----------------------------------------------------------------------------------
FLAG_HEADERS = (
    "单位",
    "事由",
    "状态",
    "责任人",
    "提出时间",
    "逾期天数",
    "依据",
    "情况说明时间",
    "认定时间",
    "认定理由",
    "申诉时间",
)
FLAG_WIDTHS = (22, 18, 14, 12, 18, 10, 48, 18, 18, 40, 18)


def flags_xlsx(
    flags: list[tuple[dict, str]], unit_names: dict[str, str], generated_at: datetime, tz: str
) -> bytes:
    """问责记录: each flag (its view, its evidence in words) with units and people by name."""

    def moment(value: datetime | None) -> str | None:
        return f"{campus_time(value, tz):%Y-%m-%d %H:%M}" if value else None

    subtitle = [f"生成时间：{campus_time(generated_at, tz):%Y-%m-%d %H:%M}", f"共 {len(flags)} 条"]

    def write(book: Book) -> None:
        with _sheet(book, "问责记录", subtitle, list(FLAG_HEADERS), FLAG_WIDTHS) as sheet:
            for flag, evidence in flags:
                sheet.append(
                    [
                        unit_names.get(flag["unit_code"], flag["unit_code"]),
                        flag["rule_label"],
                        flag["status_label"],
                        flag["person_name"],
                        moment(flag["raised_at"]),
                        flag["days_late"],
                        evidence,
                        moment(flag["explained_at"]),
                        moment(flag["decided_at"]),
                        flag["decision_reason"],
                        moment(flag["appealed_at"]),
                    ]
                )

    return workbook_bytes(write)
