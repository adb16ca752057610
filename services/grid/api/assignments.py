"""/assignments: put a person in a role for a cell from a date; end an assignment."""

from __future__ import annotations

from services.grid import commands
from services.grid.api.views import assignment_view, today
from services.grid.models import Cell, Person
from services.grid.schemas import AssignmentCreateSchema, AssignmentEndSchema, AssignmentSchema
from shared.api import Blueprint, state, transaction
from shared.auth import current_principal

blp = Blueprint(
    "assignments", __name__, url_prefix="/assignments", description="网格人员任免 assignments"
)


@blp.route("", methods=["POST"])
@blp.arguments(AssignmentCreateSchema)
@blp.response(201, AssignmentSchema)
def create_assignment(payload):
    """For head and safety officer, the current holder's assignment ends the same day."""
    payload["effective_from"] = payload["effective_from"] or today()
    with transaction() as session:
        assignment, _ = commands.assign(
            session, current_principal(), **payload, checked_posts=state().settings.checked_posts
        )
        return assignment_view(
            assignment,
            session.get(Person, assignment.person_id),
            session.get(Cell, assignment.cell_id),
        )


@blp.route("/<assignment_id>/end", methods=["POST"])
@blp.arguments(AssignmentEndSchema)
@blp.response(200, AssignmentSchema)
def end_assignment(payload, assignment_id: str):
    with transaction() as session:
        assignment = commands.end_assignment(
            session, current_principal(), assignment_id, payload["effective_to"]
        )
        return assignment_view(
            assignment,
            session.get(Person, assignment.person_id),
            session.get(Cell, assignment.cell_id),
        )
