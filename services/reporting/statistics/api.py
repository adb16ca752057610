"""/statistics: hazard statistics from the local projections (never the hazard service)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

from services.reporting import commands, domain
from services.reporting.access import category_filter, unit_filter
from services.reporting.models import CampaignUnit, ReportingDue
from services.reporting.plans.queries import plan_statistics
from services.reporting.statistics import exports
from services.reporting.statistics import queries as statistics
from services.reporting.statistics.schemas import (
    MonthlyQuerySchema,
    MonthlySchema,
    PeriodTableQuerySchema,
    PeriodTablesSchema,
    StatisticsQuerySchema,
    StatisticsSchema,
    WeeklyQuerySchema,
    WeeklySchema,
)
from shared.api import Blueprint, file_response, read_session, state
from shared.auth import current_principal
from shared.timeutil import campus_today, utcnow

blp = Blueprint("statistics", __name__, url_prefix="/statistics", description="统计 statistics")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def now() -> datetime:
    """The clock of these endpoints (a seam for tests)."""
    return utcnow()


def _scope(query: dict) -> tuple[str | None, list[str] | None]:
    """The unit and the categories a query is limited to (403 outside the caller's scope)."""
    principal = current_principal()
    categories = category_filter(principal, query.get("category"))
    return unit_filter(principal, query.get("unit_code")), categories


def _filters(query: dict) -> tuple[statistics.Filters, str | None, list[str] | None]:
    """The filters of GET /statistics, its campaign and the categories it is limited to."""
    start, end = query.get("period_from"), query.get("period_to")
    campaign_id = query.get("campaign_id")
    if campaign_id:
        campaign = commands.get_campaign(read_session(), campaign_id)
        start, end = start or campaign.starts_on, end or campaign.ends_on
    unit_code, categories = _scope(query)
    filters = statistics.Filters(
        tz=state().settings.campus_timezone,
        found_from=start,
        found_to=end,
        unit_code=unit_code,
        category=query.get("category"),
        severity=query.get("severity"),
    )
    return filters, campaign_id, categories


def _per_category(
    filters: statistics.Filters, categories: list[str] | None
) -> list[statistics.Filters]:
    """A lead department's view is the union of its categories (one query each)."""
    if not categories or filters.category:
        return [filters]
    return [replace(filters, category=c) for c in categories]


def _compute(query: dict):
    filters, campaign_id, categories = _filters(query)
    session = read_session()
    rows: list[dict] = []
    counts: list[tuple[str, str, int]] = []
    for f in _per_category(filters, categories):
        measures, stages = statistics.summary(session, f, query["group_by"])
        rows += measures
        counts += stages
    return filters, campaign_id, _merge(rows), counts


@blp.route("", methods=["GET"])
@blp.arguments(StatisticsQuerySchema, location="query")
@blp.response(200, StatisticsSchema)
def get_statistics(query):
    """Per campaign, unit, category, severity and period: found, rectified, in remediation,
    overdue, major, 整改率, average days to close; counts by stage; education coverage;
    the emergency plans per unit (in force, undrilled, past review) as of today."""
    filters, campaign_id, rows, counts = _compute(query)
    _, categories = _scope(query)
    today = campus_today(filters.tz, now())
    return {
        **domain.tally(counts),
        "group_by": query["group_by"],
        "rows": rows,
        "totals": statistics.totals(rows),
        "education": statistics.education_coverage(read_session(), campaign_id, filters),
        "emergency_plans": plan_statistics(read_session(), today, filters.unit_code, categories),
    }


def _merge(rows: list[dict]) -> list[dict]:
    """Combine rows with the same key (a lead department's categories of one unit)."""
    merged: dict[str, list[dict]] = {}
    for row in rows:
        merged.setdefault(row["key"], []).append(row)
    return [
        {"key": key, **statistics.totals(group)} if len(group) > 1 else group[0]
        for key, group in sorted(merged.items())
    ]


@blp.route("/export.xlsx", methods=["GET"])
@blp.arguments(StatisticsQuerySchema, location="query")
@blp.response(200, content_type=XLSX)
def export_statistics(query):
    """The same statistics as an .xlsx with Chinese headers."""
    filters, _, rows, _ = _compute(query)
    names = commands.unit_names(read_session())
    scope = f"统计范围：{filters.found_from or '开始'} 至 {filters.found_to or '今'}"
    content = exports.statistics_xlsx(
        rows, statistics.totals(rows), query["group_by"], names, scope, utcnow(), filters.tz
    )
    return file_response(content, XLSX, "statistics.xlsx")


# -- the province's table per period, 月汇总, 周整改 ----------------------------------------------
def _tz() -> str:
    return state().settings.campus_timezone


def _period_tables(query: dict) -> dict:
    session = read_session()
    campaign_id = query["campaign_id"]
    campaign = commands.get_campaign(session, campaign_id)
    unit_code, categories = _scope(query)
    if query.get("due_id"):
        dues = [commands.get_due(session, campaign_id, query["due_id"])]
    else:
        dues = session.scalars(
            select(ReportingDue)
            .where(ReportingDue.campaign_id == campaign_id)
            .order_by(ReportingDue.period_start)
        ).all()
    listed = session.scalars(
        select(CampaignUnit.unit_code).where(CampaignUnit.campaign_id == campaign_id)
    ).all()
    names = commands.unit_names(session)
    periods = []
    for due in dues:
        period = statistics.Period(due.period_start, due.period_end, since=campaign.starts_on)
        report = statistics.period_report(
            session, _tz(), period, names, listed, unit_code, categories
        )
        periods.append({"due_id": due.id, "due_on": due.due_on, **report})
    return {"campaign_id": campaign.id, "campaign_start": campaign.starts_on, "periods": periods}


@blp.route("/periods", methods=["GET"])
@blp.arguments(PeriodTableQuerySchema, location="query")
@blp.response(200, PeriodTablesSchema)
def period_tables(query):
    """《校园安全专项整治工作隐患问题统计表》 in the province's shape, for each reporting
    period of the campaign (or ``due_id``'s): per unit and category, hazards carried over
    (期初未整改), found (本期发现), closed (本期整改) and left open (期末未整改), and since the
    campaign's start (累计发现、累计整改、累计整改率). Closed means closed out (``closed_at``);
    every period reconciles: open at start + found − closed = open at end."""
    return _period_tables(query)


@blp.route("/periods.xlsx", methods=["GET"])
@blp.arguments(PeriodTableQuerySchema, location="query")
@blp.response(200, content_type=XLSX)
def period_tables_xlsx(query):
    """The same tables as an .xlsx, one sheet per period, with Chinese headers."""
    tables_ = _period_tables(query)
    content = exports.period_tables_xlsx(tables_, utcnow(), _tz())
    return file_response(content, XLSX, "statistics-periods.xlsx")


def _monthly(query: dict) -> dict:
    unit_code, categories = _scope(query)
    first = query.get("month") or campus_today(_tz(), now())
    first, last = domain.month_of(first)
    session = read_session()
    report = statistics.period_report(
        session,
        _tz(),
        statistics.Period(first, last),
        commands.unit_names(session),
        unit_code=unit_code,
        categories=categories,
    )
    return {"month": first, **report}


@blp.route("/monthly", methods=["GET"])
@blp.arguments(MonthlyQuerySchema, location="query")
@blp.response(200, MonthlySchema)
def monthly(query):
    """月汇总: one campus-calendar month per unit and category — carried over from before
    (期初), found, closed (closed out) and open at the month's end, of those overdue at
    the end, and the major hazards found; the campus by category and in total."""
    return _monthly(query)


@blp.route("/monthly.xlsx", methods=["GET"])
@blp.arguments(MonthlyQuerySchema, location="query")
@blp.response(200, content_type=XLSX)
def monthly_xlsx(query):
    """月汇总 as an .xlsx with Chinese headers."""
    report = _monthly(query)
    content = exports.monthly_xlsx(report, utcnow(), _tz())
    return file_response(content, XLSX, f"monthly-{report['month']:%Y-%m}.xlsx")


def _weekly(query: dict) -> dict:
    unit_code, categories = _scope(query)
    clock = now()
    monday, sunday = domain.week_of(query.get("week") or campus_today(_tz(), clock))
    session = read_session()
    report = statistics.due_or_late(
        session, _tz(), monday, sunday, clock, unit_code=unit_code, categories=categories
    )
    names = commands.unit_names(session)
    for unit in report["units"]:
        unit["unit_name"] = names.get(unit["unit_code"], unit["unit_code"])
        if query.get("summary"):  # the campus's overview: counts, not 3,000 rows
            unit["items"] = []
    report["totals"] = {
        "due": sum(u["due"] for u in report["units"]),
        "overdue": sum(u["overdue"] for u in report["units"]),
    }
    return {"week": monday, **report}


@blp.route("/weekly", methods=["GET"])
@blp.arguments(WeeklyQuerySchema, location="query")
@blp.response(200, WeeklySchema)
def weekly(query):
    """周整改: per unit, the hazards whose deadline falls in the week (Monday to Sunday) or
    has passed, still open now — or, for a past week, at its end: due or overdue, with the
    days overdue."""
    return _weekly(query)


@blp.route("/weekly.xlsx", methods=["GET"])
@blp.arguments(WeeklyQuerySchema, location="query")
@blp.response(200, content_type=XLSX)
def weekly_xlsx(query):
    """周整改 as an .xlsx with Chinese headers."""
    report = _weekly(query)
    year, week, _ = report["week_start"].isocalendar()
    content = exports.weekly_xlsx(report, utcnow(), _tz())
    return file_response(content, XLSX, f"weekly-{year}-W{week:02d}.xlsx")
