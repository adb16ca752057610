"""Who may do what in the grid, in one place.

The security office manages everything; a unit's manager manages only the cells, people
(their staff and student numbers too) and assignments of that unit, and puts only that
unit's people in its places; everyone reads the tree. Sign-in roles and passwords are
the security office's to give. Personal data (phones, staff and student numbers) is shown
in full within the caller's unit scope and masked outside it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from services.grid.models import Person
from shared.errors import Forbidden
from shared.principal import LEADERSHIP, SECURITY_OFFICE, Principal


def require_manager(principal: Principal, unit_code: str | None) -> None:
    """Security office anywhere; a unit manager in their own unit."""
    principal.require_manage_unit(unit_code)


def require_assigner(principal: Principal, person_unit: str | None, unit_name: str) -> None:
    """Who may give a person a place (after ``require_manager`` of the place's unit): a
    unit manager only his own unit's people, the security office anyone. ``unit_name``
    is the person's unit as the refusal names it."""
    if not principal.may_manage_unit(person_unit):
        reason = f"这个人属于{unit_name}，只有保卫处可以把其他单位的人安排到本单位的网格"
        raise Forbidden(
            reason, invalid_params=[{"name": "person_id", "reason": reason, "location": "json"}]
        )


def require_role_admin(principal: Principal, roles: list[str] | None) -> None:
    """Sign-in roles are the security office's to give (they widen what a token may do)."""
    if roles and SECURITY_OFFICE not in principal.roles:
        raise Forbidden("只有安全保卫处可以授予登录角色")


def require_password_admin(principal: Principal, person: Person) -> None:
    """Only the security office sets a person's (initial) password."""
    if SECURITY_OFFICE not in principal.roles:
        raise Forbidden("只有安全保卫处可以设置他人的密码")


def sees_personal_data(principal: Principal, unit_code: str | None) -> bool:
    """Phones and staff/student numbers in full: within the caller's unit scope."""
    return principal.can_access_unit(unit_code)


def personal_data_clause(principal: Principal) -> ColumnElement[bool]:
    """``sees_personal_data`` in SQL, for people: whose numbers a search may match."""
    if principal.is_global:
        return true()
    return Person.unit_code == principal.unit if principal.unit else false()


def require_roster_reader(principal: Principal, unit_code: str | None) -> None:
    """Rosters carry phones: a unit's roster is for its own people and the security office;
    an area roster spans units and is for the security office and leadership."""
    if unit_code:
        principal.require_unit(unit_code)
    else:
        principal.require_role(SECURITY_OFFICE, LEADERSHIP)
