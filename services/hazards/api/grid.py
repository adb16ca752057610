"""/cells/{id}/responsible: the grid projection, as the hazard ledger knows it."""

from __future__ import annotations

from marshmallow import Schema, fields

from shared.api import Blueprint, read_session, state
from shared.errors import NotFound
from shared.fields import Date
from shared.grid_projection import GridCell, GridUnit, responsible_on
from shared.timeutil import campus_today

blp = Blueprint(
    "grid", __name__, url_prefix="/cells", description="网格（本地投影） grid projection"
)


class ResponsibleQuerySchema(Schema):
    on = Date(load_default=None)
    role = fields.String(load_default=None)


class ResponsibleSchema(Schema):
    assignment_id = fields.String()
    cell_id = fields.String()
    person_id = fields.String()
    person_name = fields.String()
    role = fields.String()
    effective_from = Date()
    effective_to = Date(allow_none=True)


class GridPlaceSchema(Schema):
    cell_id = fields.String()
    code = fields.String()
    name = fields.String()
    level = fields.Integer()
    unit_code = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    area_type = fields.String()
    location = fields.String(allow_none=True)
    path = fields.List(fields.String(), metadata={"description": "names from the unit down"})
    ended_on = Date(allow_none=True, metadata={"description": "停用 from this day: no report"})


@blp.route("/<cell_id>", methods=["GET"])
@blp.response(200, GridPlaceSchema)
def place(cell_id: str):
    """A place as the hazard ledger knows it (what a report for this cell will carry):
    its name, unit and the names of the cells above it, from this service's grid copy."""
    session = read_session()
    cell = session.get(GridCell, cell_id)
    if cell is None:
        raise NotFound(f"隐患台账不认识网格（地点）{cell_id}")
    path, current, seen = [], cell, set()
    while current is not None and current.cell_id not in seen and current.level > 1:
        seen.add(current.cell_id)
        path.insert(0, current.name)
        current = session.get(GridCell, current.parent_id) if current.parent_id else None
    unit = session.get(GridUnit, cell.unit_code) if cell.unit_code else None
    return {
        "cell_id": cell.cell_id,
        "code": cell.code,
        "name": cell.name,
        "level": cell.level,
        "unit_code": cell.unit_code,
        "unit_name": unit.name if unit else None,
        "area_type": cell.area_type,
        "location": cell.location,
        "path": path,
        "ended_on": cell.ended_on,
    }


@blp.route("/<cell_id>/responsible", methods=["GET"])
@blp.arguments(ResponsibleQuerySchema, location="query")
@blp.response(200, ResponsibleSchema(many=True))
def responsible(query, cell_id: str):
    """Who was responsible for a cell on a campus date, from this service's grid copy."""
    day = query["on"] or campus_today(state().settings.campus_timezone)
    return responsible_on(read_session(), cell_id, day, query["role"])
