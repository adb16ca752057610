"""/cells/{id}/responsible: the grid projection, as the hazard ledger knows it."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from shared.api import read_session, state
from shared.grid_projection import responsible_on
from shared.timeutil import campus_today

blp = Blueprint(
    "grid", __name__, url_prefix="/cells", description="网格（本地投影） grid projection"
)


class ResponsibleQuerySchema(Schema):
    on = fields.Date(load_default=None)
    role = fields.String(load_default=None)


class ResponsibleSchema(Schema):
    assignment_id = fields.String()
    cell_id = fields.String()
    person_id = fields.String()
    person_name = fields.String()
    role = fields.String()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True)


@blp.route("/<cell_id>/responsible", methods=["GET"])
@blp.arguments(ResponsibleQuerySchema, location="query")
@blp.response(200, ResponsibleSchema(many=True))
def responsible(query, cell_id: str):
    """Who was responsible for a cell on a campus date, from this service's grid copy."""
    day = query["on"] or campus_today(state().settings.campus_timezone)
    return responsible_on(read_session(), cell_id, day, query["role"])
