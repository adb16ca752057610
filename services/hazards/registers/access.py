"""Who may write and read the registers, each rule in Python and, where lists need it, in
SQL beside it.

Writing: the security office everywhere, a unit manager within the unit of the place (the
grid cell's unit in the local grid projection). Inspecting adds grid staff in the cells
they hold and lead departments for the categories they lead (督导检查). Reading follows the
hazard ledger: one's own unit, everything for global roles, and a lead department (牵头部门)
also the categories it leads across units.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, false, or_
from sqlalchemy.orm import Session

from services.hazards import leads
from services.hazards.registers.domain import invalid
from shared.errors import Forbidden
from shared.grid_projection import GridCell, cells_held_by
from shared.principal import GRID_STAFF, LEAD_DEPARTMENT, SECURITY_OFFICE, UNIT_MANAGER, Principal


def place(session: Session, cell_id: str, field: str = "cell_id") -> GridCell:
    """A grid cell with a unit (the projection's copy), or 422 naming ``field``: the unit
    every write rule below is decided on."""
    cell = session.get(GridCell, cell_id)
    if cell is None or cell.unit_code is None:
        raise invalid(field, "不是网格中属于某单位的地点")
    return cell


# -- writing ------------------------------------------------------------------------------
def require_writer(principal: Principal, unit_code: str | None) -> None:
    principal.require_manage_unit(unit_code)


def require_checklist_editor(session: Session, principal: Principal, category: str) -> None:
    """College-wide data: the security office, or a lead department of the category."""
    if SECURITY_OFFICE in principal.roles or category in led_categories(session, principal):
        return
    raise Forbidden("检查表由安全保卫处或该类别的牵头部门编辑")


def require_inspector(
    session: Session, principal: Principal, cell: GridCell, day: date, category: str
) -> None:
    """Security office: all places; unit managers: their unit; grid staff: cells they hold;
    lead departments: any unit's places, with a checklist of a category they lead (督导检查,
    e.g. task 十's laboratory checks)."""
    if SECURITY_OFFICE in principal.roles:
        return
    if UNIT_MANAGER in principal.roles and principal.unit == cell.unit_code:
        return
    if GRID_STAFF in principal.roles and cell.cell_id in cells_held_by(session, principal.sub, day):
        return
    if category in led_categories(session, principal):
        return
    raise Forbidden(
        f"检查{cell.name}须由安全保卫处、单位 {cell.unit_code} 的负责人、负责该地点的网格员"
        "或该检查表类别的牵头部门办理"
    )


# -- reading ------------------------------------------------------------------------------
def led_categories(session: Session, principal: Principal) -> set[str]:
    """The categories the caller leads, as the newest campaign names them (co-leads too)."""
    if LEAD_DEPARTMENT not in principal.roles:
        return set()
    return leads.led_categories(session, principal.unit)


def can_read(session: Session, principal: Principal, unit_code: str, category: str) -> bool:
    """One's unit (everything for global roles), or a category one leads. SQL: ``visible``."""
    return principal.can_access_unit(unit_code) or category in led_categories(session, principal)


def visible(
    stmt: Select, principal: Principal, unit_col: ColumnElement, category_col: ColumnElement
) -> Select:
    """Restrict a list query to what ``can_read`` allows (the leads read in SQL)."""
    if principal.is_global:
        return stmt
    conditions = [unit_col == principal.unit] if principal.unit else []
    if LEAD_DEPARTMENT in principal.roles:
        conditions.append(leads.led_category_condition(principal.unit, category_col))
    return stmt.where(or_(*conditions) if conditions else false())


def require_reader(
    session: Session, principal: Principal, unit_code: str, category: str, what: str
) -> None:
    if not can_read(session, principal, unit_code, category):
        raise Forbidden(f"{what}属于单位 {unit_code}，不在您的权限范围内")


def require_board_reader(principal: Principal, cell: GridCell) -> None:
    """A place's risk board (风险公告): its unit, or any lead department (which then sees
    only the points of the categories it leads: ``visible``)."""
    if not (principal.can_access_unit(cell.unit_code) or LEAD_DEPARTMENT in principal.roles):
        raise Forbidden(f"网格（地点）{cell.cell_id} 属于单位 {cell.unit_code}，不在您的权限范围内")


def require_unit_reader(session: Session, principal: Principal, unit_code: str) -> None:
    """A unit's counts: its own people (global roles), or a lead of any category (which
    then counts only the points of the categories it leads: ``visible``)."""
    if not (principal.can_access_unit(unit_code) or led_categories(session, principal)):
        raise Forbidden(f"单位 {unit_code} 不在您的权限范围内")
