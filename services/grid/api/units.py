"""/units: secondary colleges, offices and other units (组织单位)."""

from __future__ import annotations

from sqlalchemy import select

from services.grid import commands
from services.grid.models import Unit
from services.grid.schemas import UnitCreateSchema, UnitSchema, UnitUpdateSchema
from shared.api import Blueprint, read_session, transaction
from shared.auth import current_principal

blp = Blueprint("units", __name__, url_prefix="/units", description="组织单位 units")


@blp.route("", methods=["POST"])
@blp.arguments(UnitCreateSchema)
@blp.response(201, UnitSchema)
def create_unit(payload):
    with transaction() as session:
        return commands.create_unit(session, current_principal(), **payload)


@blp.route("", methods=["GET"])
@blp.response(200, UnitSchema(many=True))
def list_units():
    return read_session().scalars(select(Unit).order_by(Unit.code)).all()


@blp.route("/<code>", methods=["GET"])
@blp.response(200, UnitSchema)
def get_unit(code: str):
    return commands.get_or_404(read_session(), Unit, code, "unit")


@blp.route("/<code>", methods=["PATCH"])
@blp.arguments(UnitUpdateSchema)
@blp.response(200, UnitSchema)
def update_unit(payload, code: str):
    with transaction() as session:
        return commands.update_unit(session, current_principal(), code, payload)
