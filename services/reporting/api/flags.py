"""/flags: accountability records (问责记录) and the security office's decisions."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import select

from services.reporting import commands
from services.reporting.api.scope import own_unit
from services.reporting.models import Flag
from services.reporting.schemas import FlagDecisionSchema, FlagQuerySchema, FlagSchema
from shared.api import read_session, transaction
from shared.auth import current_principal
from shared.errors import NotFound

blp = Blueprint("flags", __name__, url_prefix="/flags", description="问责记录 accountability flags")


@blp.route("", methods=["GET"])
@blp.arguments(FlagQuerySchema, location="query")
@blp.response(200, FlagSchema(many=True))
@blp.paginate()
def list_flags(query, pagination_parameters):
    """Flags in the caller's scope, newest first."""
    principal = current_principal()
    stmt = select(Flag)
    unit = query.get("unit_code")
    if unit:
        principal.require_unit(unit)
    elif not principal.is_global:
        unit = own_unit(principal)  # never "every unit" for a token without one
    if unit:
        stmt = stmt.where(Flag.unit_code == unit)
    for key in ("rule", "status", "campaign_id"):
        if query.get(key):
            stmt = stmt.where(getattr(Flag, key) == query[key])
    session = read_session()
    flags = session.scalars(stmt.order_by(Flag.raised_at.desc(), Flag.id)).all()
    pagination_parameters.item_count = len(flags)
    first = pagination_parameters.first_item
    return flags[first : first + pagination_parameters.page_size]


@blp.route("/<flag_id>", methods=["GET"])
@blp.response(200, FlagSchema)
def get_flag(flag_id: str):
    flag = read_session().get(Flag, flag_id)
    if flag is None:
        raise NotFound(f"flag {flag_id} does not exist")
    current_principal().require_unit(flag.unit_code)
    return flag


@blp.route("/<flag_id>/decision", methods=["POST"])
@blp.arguments(FlagDecisionSchema)
@blp.response(200, FlagSchema)
def decide(payload, flag_id: str):
    """Explained, confirmed or withdrawn — by the security office, with a reason."""
    with transaction() as session:
        return commands.decide_flag(
            session, current_principal(), flag_id, payload["status"], payload["reason"]
        )
