"""Shapes shared by the grid endpoints (personal data masked outside the caller's scope)."""

from __future__ import annotations

from datetime import date

from services.grid.access import sees_personal_data
from services.grid.models import Assignment, Cell, Person
from shared.api import state
from shared.principal import Principal
from shared.timeutil import campus_today


def today() -> date:
    return campus_today(state().settings.campus_timezone)


def mask(value: str | None) -> str | None:
    if not value:
        return value
    return value[:3] + "*" * max(0, len(value) - 7) + value[-4:] if len(value) > 7 else "***"


def person_view(person: Person, principal: Principal) -> dict:
    visible = sees_personal_data(principal, person.unit_code)
    return {
        "id": person.id,
        "name": person.name,
        "unit_code": person.unit_code,
        "phone": person.phone if visible else mask(person.phone),
        "staff_no": person.staff_no if visible else mask(person.staff_no),
        "student_no": person.student_no if visible else mask(person.student_no),
        "roles": list(person.roles or []),
        "can_sign_in": person.password_hash is not None,
    }


def assignment_view(assignment: Assignment, person: Person | None, cell: Cell | None) -> dict:
    return {
        "id": assignment.id,
        "cell_id": assignment.cell_id,
        "person_id": assignment.person_id,
        "person_name": person.name if person else None,
        "role": assignment.role,
        "effective_from": assignment.effective_from,
        "effective_to": assignment.effective_to,
        "cell_code": cell.code if cell else None,
        "cell_name": cell.name if cell else None,
    }
