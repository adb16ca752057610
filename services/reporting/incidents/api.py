"""/statistics/incidents: incidents per unit and kind, and the goal 「无重大安全事故」, from
reporting's own projection. Units see their own; global roles every unit."""

from __future__ import annotations

from services.reporting import commands
from services.reporting.access import own_unit
from services.reporting.incidents.queries import incident_statistics
from services.reporting.incidents.schemas import (
    IncidentStatisticsQuerySchema,
    IncidentStatisticsSchema,
)
from shared.api import Blueprint, read_session
from shared.auth import current_principal

blp = Blueprint(
    "incident_statistics",
    __name__,
    url_prefix="/statistics/incidents",
    description="事故统计 incident statistics",
)


@blp.route("", methods=["GET"])
@blp.arguments(IncidentStatisticsQuerySchema, location="query")
@blp.response(200, IncidentStatisticsSchema)
def incident_statistics_view(query):
    """Incidents (near misses apart) per unit and kind in a period or a campaign's, and
    whether no major incident happened (无重大安全事故)."""
    principal = current_principal()
    unit_code = query.get("unit_code")
    if unit_code:
        principal.require_unit(unit_code)
    elif not principal.is_global:
        unit_code = own_unit(principal)
    session = read_session()
    start, end = query.get("period_from"), query.get("period_to")
    if query.get("campaign_id"):
        campaign = commands.get_campaign(session, query["campaign_id"])
        start, end = start or campaign.starts_on, end or campaign.ends_on
    return incident_statistics(session, unit_code, start, end)
