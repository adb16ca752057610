"""/cells: the grid tree, its escalation chains, holders on a date, history, gaps."""

from __future__ import annotations

from sqlalchemy import select

from services.grid import commands, queries
from services.grid.api.views import assignment_view, today
from services.grid.models import Cell
from services.grid.schemas import (
    AssignmentSchema,
    CellCreateSchema,
    CellEndSchema,
    CellMoveSchema,
    CellQuerySchema,
    CellSchema,
    CellUpdateSchema,
    GapSchema,
    GapsQuerySchema,
    OnDateQuerySchema,
)
from shared.api import Blueprint, read_session, transaction
from shared.auth import current_principal

blp = Blueprint("cells", __name__, url_prefix="/cells", description="网格 grid cells")


@blp.route("", methods=["POST"])
@blp.arguments(CellCreateSchema)
@blp.response(201, CellSchema)
def create_cell(payload):
    with transaction() as session:
        return commands.create_cell(session, current_principal(), **payload)


@blp.route("", methods=["GET"])
@blp.arguments(CellQuerySchema, location="query")
@blp.response(200, CellSchema(many=True))
def list_cells(query):
    stmt = select(Cell).order_by(Cell.level, Cell.code)
    for key, column in (
        ("unit_code", Cell.unit_code),
        ("parent_id", Cell.parent_id),
        ("area_type", Cell.area_type),
    ):
        if query.get(key):
            stmt = stmt.where(column == query[key])
    if not query["include_ended"]:
        stmt = stmt.where(Cell.ended_on.is_(None))
    return read_session().scalars(stmt).all()


@blp.route("/gaps", methods=["GET"])
@blp.arguments(GapsQuerySchema, location="query")
@blp.response(200, GapSchema(many=True))
def list_gaps(query):
    """Places without a current 网格负责人 or 网格安全员."""
    return queries.gaps(read_session(), query.get("on") or today(), query.get("unit_code"))


@blp.route("/<cell_id>", methods=["GET"])
@blp.response(200, CellSchema)
def get_cell(cell_id: str):
    return commands.get_or_404(read_session(), Cell, cell_id, "cell")


@blp.route("/<cell_id>", methods=["PATCH"])
@blp.arguments(CellUpdateSchema)
@blp.response(200, CellSchema)
def update_cell(payload, cell_id: str):
    with transaction() as session:
        return commands.update_cell(session, current_principal(), cell_id, payload)


@blp.route("/<cell_id>/move", methods=["POST"])
@blp.arguments(CellMoveSchema)
@blp.response(200, CellSchema)
def move_cell(payload, cell_id: str):
    """Move a place under another parent; 409 if it would become its own ancestor."""
    with transaction() as session:
        return commands.move_cell(session, current_principal(), cell_id, payload["parent_id"])


@blp.route("/<cell_id>/end", methods=["POST"])
@blp.arguments(CellEndSchema)
@blp.response(200, CellSchema)
def end_cell(payload, cell_id: str):
    """End (停用) a place: its open assignments end that day; 409 for the college, a unit,
    an ended place or one with places under it still in use."""
    day = today()
    with transaction() as session:
        return commands.end_cell(
            session,
            current_principal(),
            cell_id,
            ended_on=payload["ended_on"] or day,
            reason=payload["reason"],
            today=day,
        )


@blp.route("/<cell_id>/chain", methods=["GET"])
@blp.response(200, CellSchema(many=True))
def escalation_chain(cell_id: str):
    """The cell and its supervisors up to the college (一级抓一级)."""
    return queries.escalation_chain(read_session(), cell_id)


@blp.route("/<cell_id>/holders", methods=["GET"])
@blp.arguments(OnDateQuerySchema, location="query")
@blp.response(200, AssignmentSchema(many=True))
def holders(query, cell_id: str):
    """Who held each role for this cell on a campus date (default today)."""
    session = read_session()
    cell = commands.get_or_404(session, Cell, cell_id, "cell")
    rows = queries.holders_on(session, cell_id, query.get("on") or today(), query.get("role"))
    return [assignment_view(a, p, cell) for a, p in rows]


@blp.route("/<cell_id>/assignments", methods=["GET"])
@blp.response(200, AssignmentSchema(many=True))
def history(cell_id: str):
    """Every assignment of this cell, past and present: nothing is overwritten."""
    session = read_session()
    cell = commands.get_or_404(session, Cell, cell_id, "cell")
    return [assignment_view(a, p, cell) for a, p in queries.cell_history(session, cell_id)]
