"""/people: named people of the grid, and everything each was responsible for."""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from services.grid import access, commands, queries
from services.grid.api.views import assignment_view, person_view
from services.grid.models import Person
from services.grid.schemas import (
    AssignmentSchema,
    PeopleQuerySchema,
    PersonCreateSchema,
    PersonSchema,
    PersonUpdateSchema,
)
from shared.api import Blueprint, page_of_rows, read_session, transaction
from shared.auth import current_principal

blp = Blueprint("people", __name__, url_prefix="/people", description="人员 people")


@blp.route("", methods=["POST"])
@blp.arguments(PersonCreateSchema)
@blp.response(201, PersonSchema)
def create_person(payload):
    principal = current_principal()
    with transaction() as session:
        return person_view(commands.create_person(session, principal, **payload), principal)


@blp.route("", methods=["GET"])
@blp.arguments(PeopleQuerySchema, location="query")
@blp.response(200, PersonSchema(many=True))
@blp.paginate()
def list_people(query, pagination_parameters):
    principal = current_principal()
    stmt = select(Person).order_by(Person.unit_code, Person.name, Person.id)
    if query.get("unit_code"):
        stmt = stmt.where(Person.unit_code == query["unit_code"])
    if query.get("q"):  # numbers are personal data: matched only within the caller's scope
        numbers = or_(Person.staff_no == query["q"], Person.student_no == query["q"])
        stmt = stmt.where(
            or_(
                Person.name.contains(query["q"], autoescape=True),
                and_(numbers, access.personal_data_clause(principal)),
            )
        )
    people = read_session().scalars(stmt).all()
    return [person_view(p, principal) for p in page_of_rows(people, pagination_parameters)]


@blp.route("/<person_id>", methods=["GET"])
@blp.response(200, PersonSchema)
def get_person(person_id: str):
    person = commands.get_or_404(read_session(), Person, person_id, "person")
    return person_view(person, current_principal())


@blp.route("/<person_id>", methods=["PATCH"])
@blp.arguments(PersonUpdateSchema)
@blp.response(200, PersonSchema)
def update_person(payload, person_id: str):
    principal = current_principal()
    with transaction() as session:
        return person_view(
            commands.update_person(session, principal, person_id, payload), principal
        )


@blp.route("/<person_id>/responsibilities", methods=["GET"])
@blp.response(200, AssignmentSchema(many=True))
def responsibilities(person_id: str):
    """Every role this person held or holds, newest first (for accountability)."""
    session = read_session()
    person = commands.get_or_404(session, Person, person_id, "person")
    return [assignment_view(a, person, c) for a, c in queries.responsibilities(session, person_id)]
