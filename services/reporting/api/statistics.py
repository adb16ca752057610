"""/statistics: hazard counts from the local projection (never from the hazard service)."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import func, select

from services.reporting.domain import tally
from services.reporting.models import HazardProjection
from services.reporting.schemas import StatisticsQuerySchema, StatisticsSchema
from shared.api import read_session
from shared.auth import current_principal

blp = Blueprint("statistics", __name__, url_prefix="/statistics", description="统计 statistics")


@blp.route("", methods=["GET"])
@blp.arguments(StatisticsQuerySchema, location="query")
@blp.response(200, StatisticsSchema)
def get_statistics(query):
    """Hazards by unit and by stage; unit-scoped callers see only their unit."""
    principal = current_principal()
    unit_code = query.get("unit_code")
    if unit_code:
        principal.require_unit(unit_code)
    elif not principal.is_global:
        unit_code = principal.unit
    stmt = select(HazardProjection.unit_code, HazardProjection.status, func.count()).group_by(
        HazardProjection.unit_code, HazardProjection.status
    )
    if unit_code:
        stmt = stmt.where(HazardProjection.unit_code == unit_code)
    return tally(read_session().execute(stmt).all())
