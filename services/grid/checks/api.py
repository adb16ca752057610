"""/checks: background checks of the grid's people (入职查询、资格审查).

The security office and the personnel department (人事处) only, reads included (403 for
everyone else); every read is logged (/checks/access-log). Never in an event.
"""

from __future__ import annotations

from typing import Any

from services.grid.checks import commands as checks
from services.grid.checks.domain import KINDS, RESULTS
from services.grid.checks.schemas import (
    CheckCreateSchema,
    CheckLogQuerySchema,
    CheckLogSchema,
    CheckQuerySchema,
    CheckSchema,
    CheckUpdateSchema,
)
from services.grid.models import BackgroundCheck, Person
from shared.api import Blueprint, transaction
from shared.auth import current_principal

blp = Blueprint(
    "checks", __name__, url_prefix="/checks", description="背景审查 (安全保卫处、人事处专用)"
)


def check_view(check: BackgroundCheck, person: Person) -> dict[str, Any]:
    return {
        "id": check.id,
        "person_id": check.person_id,
        "person_name": person.name,
        "unit_code": person.unit_code,
        "kind": check.kind,
        "kind_label": KINDS.get(check.kind, check.kind),
        "checked_on": check.checked_on,
        "result": check.result,
        "result_label": RESULTS.get(check.result, check.result),
        "valid_until": check.valid_until,
        "note": check.note,
        "version": check.version,
    }


@blp.route("", methods=["POST"])
@blp.arguments(CheckCreateSchema)
@blp.response(201, CheckSchema)
def create_check(payload):
    """Record a person's check (security office or personnel department)."""
    with transaction() as session:
        check = checks.create_check(session, current_principal(), **payload)
        return check_view(check, session.get(Person, check.person_id))


@blp.route("", methods=["GET"])
@blp.arguments(CheckQuerySchema, location="query")
@blp.response(200, CheckSchema(many=True))
def list_checks(query):
    """Checks, newest first, by person, unit, kind, result or validity on a day (logged)."""
    with transaction() as session:
        rows = checks.list_checks(session, current_principal(), **query)
        return [check_view(check, person) for check, person in rows]


@blp.route("/access-log", methods=["GET"])
@blp.arguments(CheckLogQuerySchema, location="query")
@blp.response(200, CheckLogSchema(many=True))
def access_log(query):
    """Who read or changed whose checks when (no content; newest first)."""
    with transaction() as session:
        return checks.access_log(session, current_principal(), query.get("person_id"))


@blp.route("/<check_id>", methods=["GET"])
@blp.response(200, CheckSchema)
def get_check(check_id: str):
    """One check (the read is logged)."""
    with transaction() as session:
        check = checks.read_check(session, current_principal(), check_id)
        return check_view(check, session.get(Person, check.person_id))


@blp.route("/<check_id>", methods=["PATCH"])
@blp.arguments(CheckUpdateSchema)
@blp.response(200, CheckSchema)
def update_check(payload, check_id: str):
    """Correct a check: kind, dates, result, note."""
    with transaction() as session:
        check = checks.update_check(session, current_principal(), check_id, payload)
        return check_view(check, session.get(Person, check.person_id))
