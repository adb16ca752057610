"""Who may do what in the incidents ledger — one home, in Python and (lists) in SQL.

- record an incident, edit it and add to its report chain (谁被告知、何时): the security
  office anywhere, a unit manager at his own unit's places (``Principal.may_manage_unit``);
- investigate (事故调查), open the hazards it revealed, find responsibility (责任认定): the
  security office only (it runs the investigation and answers for the finding);
- read: the security office and the leadership group (and unscoped portals: global roles),
  a unit manager his unit's incidents. Lead departments and grid staff do not read them: an
  incident is a unit's and the office's business, its statistics are reporting's.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, false
from sqlalchemy.orm import Session

from services.hazards.registers.domain import invalid
from shared.errors import Forbidden
from shared.grid_projection import GridCell
from shared.principal import SECURITY_OFFICE, UNIT_MANAGER, Principal


def place(session: Session, cell_id: str, day: date, field: str = "cell_id") -> GridCell:
    """A place of a unit (the grid projection's copy) in use on ``day``, or 422 naming
    ``field``."""
    cell = session.get(GridCell, cell_id)
    if cell is None or cell.unit_code is None:
        raise invalid(field, "不是网格中属于某单位的地点")
    if cell.ended_on is not None and cell.ended_on <= day:
        raise invalid(field, f"该地点已于 {cell.ended_on} 停用")
    return cell


def require_recorder(principal: Principal, unit_code: str) -> None:
    """Record, edit, add to the report chain: the office, or the unit's manager."""
    if not principal.may_manage_unit(unit_code):
        raise Forbidden(f"单位 {unit_code} 的事故须由安全保卫处或该单位负责人登记")


def require_office(principal: Principal, what: str) -> None:
    """Investigation, revealed hazards, the finding of responsibility: the office only."""
    if SECURITY_OFFICE not in principal.roles:
        raise Forbidden(f"{what}由安全保卫处办理")


def can_read(principal: Principal, unit_code: str) -> bool:
    """Global roles, and a unit manager his own unit's. SQL twin: ``visible``."""
    if principal.is_global:
        return True
    return UNIT_MANAGER in principal.roles and principal.unit == unit_code


def require_reader(principal: Principal, unit_code: str) -> None:
    if not can_read(principal, unit_code):
        raise Forbidden(f"单位 {unit_code} 的事故不在您的权限范围内")


def visible(stmt: Select, principal: Principal, unit_col: ColumnElement) -> Select:
    """A list query restricted to what ``can_read`` allows."""
    if principal.is_global:
        return stmt
    if UNIT_MANAGER in principal.roles and principal.unit:
        return stmt.where(unit_col == principal.unit)
    return stmt.where(false())


def actions_for(principal: Principal, unit_code: str, found: bool) -> list[str]:
    """The steps ``principal`` may take on an incident now (what the console offers): the
    same rules as the steps themselves (and ``domain.check_open`` after the finding)."""
    actions: list[str] = []
    if principal.may_manage_unit(unit_code):
        actions += ["report"] if found else ["edit", "report"]
    if SECURITY_OFFICE in principal.roles:
        actions += ["open_hazard"] if found else ["investigate", "open_hazard", "find"]
    return actions
