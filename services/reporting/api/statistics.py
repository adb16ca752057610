"""/statistics: hazard statistics from the local projections (never the hazard service)."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import select

from services.reporting import domain, statistics, tables
from services.reporting.api.scope import led_categories, unit_filter
from services.reporting.models import Campaign, CampaignUnit
from services.reporting.schemas import StatisticsQuerySchema, StatisticsSchema
from shared.api import file_response, read_session, state
from shared.auth import current_principal
from shared.db import utcnow
from shared.errors import Forbidden, NotFound
from shared.grid_projection import GridUnit

blp = Blueprint("statistics", __name__, url_prefix="/statistics", description="统计 statistics")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(query: dict) -> tuple[statistics.Filters, str | None]:
    principal = current_principal()
    session = read_session()
    start, end = query.get("period_from"), query.get("period_to")
    campaign_id = query.get("campaign_id")
    if campaign_id:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(f"campaign {campaign_id} does not exist")
        start, end = start or campaign.starts_on, end or campaign.ends_on
    category = query.get("category")
    led = led_categories(principal)
    if led and not principal.is_global and category and category not in led:
        raise Forbidden(f"category {category!r} is led by another department")
    filters = statistics.Filters(
        tz=state().settings.campus_timezone,
        found_from=start,
        found_to=end,
        unit_code=unit_filter(principal, query.get("unit_code")),
        category=category,
        severity=query.get("severity"),
    )
    return filters, campaign_id


def _led_only(rows_filters: statistics.Filters) -> list[statistics.Filters]:
    """A lead department's view is the union of its categories."""
    led = led_categories(current_principal())
    if not led or current_principal().is_global or rows_filters.category:
        return [rows_filters]
    return [statistics.Filters(**{**vars(rows_filters), "category": c}) for c in led]


def _compute(query: dict):
    filters, campaign_id = _filters(query)
    session = read_session()
    rows: list[dict] = []
    counts: list[tuple[str, str, int]] = []
    for f in _led_only(filters):
        measures, stages = statistics.summary(session, f, query["group_by"])
        rows += measures
        counts += stages
    return filters, campaign_id, _merge(rows), counts


@blp.route("", methods=["GET"])
@blp.arguments(StatisticsQuerySchema, location="query")
@blp.response(200, StatisticsSchema)
def get_statistics(query):
    """Per campaign, unit, category, severity and period: found, rectified, in remediation,
    overdue, major, 整改率, average days to close; counts by stage; education coverage."""
    filters, campaign_id, rows, counts = _compute(query)
    return {
        **domain.tally(counts),
        "group_by": query["group_by"],
        "rows": rows,
        "totals": statistics.totals(rows),
        "education": statistics.education_coverage(read_session(), campaign_id, filters),
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
    session = read_session()
    names = dict(session.execute(select(GridUnit.code, GridUnit.name)).all())
    names |= dict(session.execute(select(CampaignUnit.unit_code, CampaignUnit.name)).all())
    scope = f"统计范围：{filters.found_from or '开始'} 至 {filters.found_to or '今'}"
    content = tables.statistics_xlsx(
        rows, statistics.totals(rows), query["group_by"], names, scope, utcnow(), filters.tz
    )
    return file_response(content, XLSX, "statistics.xlsx")
