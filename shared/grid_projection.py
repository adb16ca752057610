"""The grid as other services see it: a local projection fed by grid events.

The hazard ledger and reporting need unit names, the cell tree, and who was
responsible for a cell on a given day (accountability names the person of that
time) without calling the grid service. Both keep these tables in their own
database (their migrations include ``GridProjectionBase.metadata``) and register
``GRID_EVENT_HANDLERS``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared.db import new_metadata
from shared.events import Envelope
from shared.periods import held_on
from shared.projections import upsert_newer


class GridProjectionBase(DeclarativeBase):
    metadata = new_metadata()


class GridUnit(GridProjectionBase):
    __tablename__ = "grid_units"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    last_sequence: Mapped[int] = mapped_column(Integer)


class GridCell(GridProjectionBase):
    __tablename__ = "grid_cells"

    cell_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[str | None] = mapped_column(String(36))
    unit_code: Mapped[str | None] = mapped_column(String(32), index=True)
    area_type: Mapped[str] = mapped_column(String(16))
    location: Mapped[str | None] = mapped_column(String(200))
    ended_on: Mapped[date | None] = mapped_column(Date)  # 停用 from this campus date
    last_sequence: Mapped[int] = mapped_column(Integer)


class GridAssignment(GridProjectionBase):
    __tablename__ = "grid_assignments"

    assignment_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    cell_id: Mapped[str] = mapped_column(String(36), index=True)
    person_id: Mapped[str] = mapped_column(String(36))
    person_name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(16))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    last_sequence: Mapped[int] = mapped_column(Integer)


def _unit(session: Session, event: Envelope) -> None:
    upsert_newer(session, GridUnit, "code", dict(event.data), event.sequence)


def _cell(session: Session, event: Envelope) -> None:
    data = dict(event.data)
    # Optional in cell.changed: older events carry no end (the place is in use).
    ended_on = data.get("ended_on")
    data["ended_on"] = date.fromisoformat(ended_on) if ended_on else None
    upsert_newer(session, GridCell, "cell_id", data, event.sequence)


def _assignment(session: Session, event: Envelope) -> None:
    data = dict(event.data)
    data["effective_from"] = date.fromisoformat(data["effective_from"])
    data["effective_to"] = (
        date.fromisoformat(data["effective_to"]) if data["effective_to"] else None
    )
    upsert_newer(session, GridAssignment, "assignment_id", data, event.sequence)


GRID_EVENT_HANDLERS = {
    "unit.changed": _unit,
    "cell.changed": _cell,
    "assignment.changed": _assignment,
}


def responsible_on(
    session: Session, cell_id: str, day: date, role: str | None = None
) -> list[GridAssignment]:
    """Who held roles for ``cell_id`` on ``day``: the grid's own period rule
    (shared.periods.held_on), applied to the cell's short history."""
    stmt = select(GridAssignment).where(GridAssignment.cell_id == cell_id)
    if role:
        stmt = stmt.where(GridAssignment.role == role)
    history = session.scalars(stmt.order_by(GridAssignment.role, GridAssignment.person_name))
    return [a for a in history if _held_on(a, day)]


def _held_on(assignment: GridAssignment, day: date) -> bool:
    return held_on(assignment.effective_from, assignment.effective_to, day)


ACCOUNTABLE_ROLES = ("head", "safety_officer", "responsible")


def holder_on(session: Session, cell_id: str, day: date) -> GridAssignment | None:
    """Who answers for the cell itself on ``day``: its head, else its safety officer, else
    a responsible person; None if nobody holds a role there."""
    holders = responsible_on(session, cell_id, day)
    for role in ACCOUNTABLE_ROLES:
        for holder in holders:
            if holder.role == role:
                return holder
    return None


def accountable_person(session: Session, cell_id: str, day: date) -> GridAssignment | None:
    """Who answers for a place on ``day``: its head (else safety officer, else a responsible
    person); if the place has none, the nearest ancestor's (一级抓一级)."""
    current: str | None = cell_id
    seen: set[str] = set()
    while current is not None and current not in seen:
        seen.add(current)
        holder = holder_on(session, current, day)
        if holder is not None:
            return holder
        cell = session.get(GridCell, current)
        current = cell.parent_id if cell else None
    return None


def cells_held_by(session: Session, person_id: str, day: date) -> set[str]:
    """Cells a person holds a role for on ``day``, with all the cells below them."""
    history = session.scalars(select(GridAssignment).where(GridAssignment.person_id == person_id))
    held = {a.cell_id for a in history if _held_on(a, day)}
    if not held:
        return held
    children: dict[str | None, list[str]] = {}
    for cell_id, parent_id in session.execute(select(GridCell.cell_id, GridCell.parent_id)):
        children.setdefault(parent_id, []).append(cell_id)
    stack, out = list(held), set()
    while stack:
        cell = stack.pop()
        if cell not in out:
            out.add(cell)
            stack.extend(children.get(cell, []))
    return out
