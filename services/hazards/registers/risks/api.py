"""/risks: the risk register (安全风险辨识评估), risk announcements, colour counts."""

from __future__ import annotations

from services.hazards.registers.risks import commands
from services.hazards.registers.risks.schemas import (
    AnnouncementQuerySchema,
    AnnouncementSchema,
    RiskCreateSchema,
    RiskQuerySchema,
    RiskSchema,
    RiskUpdateSchema,
    SummaryQuerySchema,
    SummaryRowSchema,
)
from shared.api import Blueprint, page_of, read_session, transaction, with_etag
from shared.api import if_match_version as if_match
from shared.auth import current_principal

blp = Blueprint(
    "risks", __name__, url_prefix="/risks", description="风险辨识评估 risk register (LS 四色分级)"
)


@blp.route("", methods=["POST"])
@blp.arguments(RiskCreateSchema)
@blp.response(201, RiskSchema)
def create_risk(payload):
    """Identify a risk point at a place; its level follows R = L × S
    (≥20 red 重大, 15-19 orange 较大, 9-14 yellow 一般, ≤8 blue 低)."""
    with transaction() as session:
        risk = commands.create_risk(session, current_principal(), **payload)
        return with_etag(risk, status=201)


@blp.route("", methods=["GET"])
@blp.arguments(RiskQuerySchema, location="query")
@blp.response(200, RiskSchema(many=True))
@blp.paginate()
def list_risks(query, pagination_parameters):
    """Risk points in the caller's scope, by unit and highest score first."""
    return page_of(commands.risk_query(current_principal(), query), pagination_parameters)


@blp.route("/announcement", methods=["GET"])
@blp.arguments(AnnouncementQuerySchema, location="query")
@blp.response(200, AnnouncementSchema)
def risk_announcement(query):
    """风险公告: a place's risk points (with those of the places below it), red → blue."""
    return commands.announcement(read_session(), current_principal(), query["cell_id"])


@blp.route("/summary", methods=["GET"])
@blp.arguments(SummaryQuerySchema, location="query")
@blp.response(200, SummaryRowSchema(many=True))
def risk_summary(query):
    """Risk points by colour per unit."""
    return commands.risk_summary(read_session(), current_principal(), query.get("unit_code"))


@blp.route("/<risk_id>", methods=["GET"])
@blp.response(200, RiskSchema)
def get_risk(risk_id: str):
    return with_etag(commands.get_risk(read_session(), current_principal(), risk_id))


@blp.route("/<risk_id>", methods=["PATCH"])
@blp.arguments(RiskUpdateSchema)
@blp.response(200, RiskSchema)
@blp.alt_response(412, description="If-Match does not match the risk point's version")
def update_risk(payload, risk_id: str):
    """Re-assess or edit a risk point (the level is recomputed)."""
    with transaction() as session:
        risk = commands.update_risk(session, current_principal(), risk_id, payload, if_match())
        return with_etag(risk)
