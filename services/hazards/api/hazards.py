"""/hazards: report, list, read and close out hazards."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import func, select

from services.hazards import commands
from services.hazards.models import Hazard
from services.hazards.schemas import (
    HazardCloseSchema,
    HazardCreateSchema,
    HazardQuerySchema,
    HazardSchema,
)
from shared.api import read_session, state, transaction
from shared.auth import current_principal

blp = Blueprint("hazards", __name__, url_prefix="/hazards", description="隐患台账 hazard ledger")


@blp.route("", methods=["POST"])
@blp.arguments(HazardCreateSchema)
@blp.response(201, HazardSchema)
def create_hazard(payload):
    """Report a hazard (排查发现): numbered, stored and announced in one transaction."""
    with transaction() as session:
        return commands.create_hazard(
            session,
            current_principal(),
            campus_tz=state().settings.campus_timezone,
            **payload,
        )


@blp.route("", methods=["GET"])
@blp.arguments(HazardQuerySchema, location="query")
@blp.response(200, HazardSchema(many=True))
@blp.paginate()
def list_hazards(query, pagination_parameters):
    """Hazards in the caller's scope, newest first, filtered by unit and stage."""
    principal = current_principal()
    stmt = select(Hazard)
    if not principal.is_global:
        stmt = stmt.where(Hazard.unit_code == principal.unit)
    if query.get("unit_code"):
        stmt = stmt.where(Hazard.unit_code == query["unit_code"])
    if query.get("status"):
        stmt = stmt.where(Hazard.status == query["status"])
    session = read_session()
    pagination_parameters.item_count = session.scalar(
        select(func.count()).select_from(stmt.subquery())
    )
    return session.scalars(
        stmt.order_by(Hazard.created_at.desc(), Hazard.number.desc())
        .offset(pagination_parameters.first_item)
        .limit(pagination_parameters.page_size)
    ).all()


@blp.route("/<hazard_id>", methods=["GET"])
@blp.response(200, HazardSchema)
def get_hazard(hazard_id: str):
    return commands.get_hazard(read_session(), current_principal(), hazard_id)


@blp.route("/<hazard_id>/close", methods=["POST"])
@blp.arguments(HazardCloseSchema, required=False)
@blp.response(200, HazardSchema)
def close_hazard(payload, hazard_id: str):
    """销号: the security office closes a hazard out."""
    with transaction() as session:
        return commands.close_hazard(
            session, current_principal(), hazard_id, (payload or {}).get("comment")
        )
