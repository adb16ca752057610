"""Read side of the grid: who held what when, the escalation chain, gaps, rosters."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.grid import domain
from services.grid.commands import get_or_404, parent_map
from services.grid.exports import Roster, RosterEntry, RosterPlace
from services.grid.models import Assignment, Cell, Person, Unit


def held_on(assignment: Assignment, day: date) -> bool:
    """The grid's one period rule (domain.held_on) applied to a loaded assignment: a
    cell's or a person's history is short, so it is filtered here rather than in SQL."""
    return domain.held_on(assignment.effective_from, assignment.effective_to, day)


def holders_on(session: Session, cell_id: str, day: date, role: str | None = None):
    get_or_404(session, Cell, cell_id, "cell")
    stmt = (
        select(Assignment, Person)
        .join(Person, Person.id == Assignment.person_id)
        .where(Assignment.cell_id == cell_id)
        .order_by(Assignment.role, Assignment.effective_from)
    )
    if role:
        stmt = stmt.where(Assignment.role == role)
    return [row for row in session.execute(stmt).all() if held_on(row[0], day)]


def cell_history(session: Session, cell_id: str):
    get_or_404(session, Cell, cell_id, "cell")
    stmt = (
        select(Assignment, Person)
        .join(Person, Person.id == Assignment.person_id)
        .where(Assignment.cell_id == cell_id)
        .order_by(Assignment.role, Assignment.effective_from, Assignment.created_at)
    )
    return session.execute(stmt).all()


def responsibilities(session: Session, person_id: str):
    """All assignments of a person, current and past, with their cells."""
    get_or_404(session, Person, person_id, "person")
    stmt = (
        select(Assignment, Cell)
        .join(Cell, Cell.id == Assignment.cell_id)
        .where(Assignment.person_id == person_id)
        .order_by(Assignment.effective_from.desc())
    )
    return session.execute(stmt).all()


def escalation_chain(session: Session, cell_id: str) -> list[Cell]:
    get_or_404(session, Cell, cell_id, "cell")
    ids = domain.chain_to_root(cell_id, parent_map(session))
    cells = {c.id: c for c in session.scalars(select(Cell).where(Cell.id.in_(ids)))}
    return [cells[i] for i in ids]


def gaps(session: Session, day: date, unit_code: str | None = None) -> list[dict]:
    """Places (level 3+) without a current head or safety officer on ``day``."""
    cells_stmt = (
        select(Cell)
        .where(Cell.level > domain.UNIT_LEVEL, Cell.ended_on.is_(None))
        .order_by(Cell.code)
    )
    if unit_code:
        cells_stmt = cells_stmt.where(Cell.unit_code == unit_code)
    cells = session.scalars(cells_stmt).all()
    held: dict[str, set[str]] = {}
    assignments = session.scalars(
        select(Assignment).where(Assignment.cell_id.in_([c.id for c in cells]))
    )
    for assignment in assignments:
        if held_on(assignment, day):
            held.setdefault(assignment.cell_id, set()).add(assignment.role)
    out = []
    for cell in cells:
        missing = domain.missing_roles(held.get(cell.id, set()))
        if missing:
            out.append({"cell": cell, "missing_roles": missing})
    return out


def build_roster(
    session: Session,
    *,
    day: date,
    report_url: str,
    timezone: str,
    generated_at: datetime,
    unit_code: str | None = None,
    area_type: str | None = None,
) -> Roster:
    """The roster of a unit or of an area type: every place in use with its current people."""
    stmt = (
        select(Cell)
        .where(Cell.level > domain.UNIT_LEVEL, Cell.ended_on.is_(None))
        .order_by(Cell.code)
    )
    if unit_code:
        stmt = stmt.where(Cell.unit_code == unit_code)
    if area_type:
        stmt = stmt.where(Cell.area_type == area_type)
    cells = session.scalars(stmt).all()
    people = _roster_entries(session, [c.id for c in cells], day)
    names = {c.id: c.name for c in session.scalars(select(Cell))}
    parents = parent_map(session)
    places = tuple(
        _roster_place(cell, names, parents, report_url, people.get(cell.id, [])) for cell in cells
    )
    units = dict(session.execute(select(Unit.code, Unit.name)).all())
    if unit_code:
        scope = f"单位：{units.get(unit_code, unit_code)}"
        title = f"{units.get(unit_code, unit_code)}网格管理人员公示"
    else:
        label = domain.AREA_TYPES.get(area_type or "", area_type or "")
        scope, title = f"区域：{label}", f"{label}网格管理人员公示"
    return Roster(
        title=title,
        scope_label=scope,
        generated_at=generated_at,
        campus_timezone=timezone,
        places=places,
    )


def _roster_entries(
    session: Session, cell_ids: list[str], day: date
) -> dict[str, list[RosterEntry]]:
    """The people holding a role in each cell on ``day``, by role order then name."""
    rows = [
        (assignment, person)
        for assignment, person in session.execute(
            select(Assignment, Person)
            .join(Person, Person.id == Assignment.person_id)
            .where(Assignment.cell_id.in_(cell_ids))
        )
        if held_on(assignment, day)
    ]
    order = {role.value: i for i, role in enumerate(domain.Role)}
    people: dict[str, list[RosterEntry]] = {}
    for assignment, person in sorted(rows, key=lambda r: (order[r[0].role], r[1].name)):
        people.setdefault(assignment.cell_id, []).append(
            RosterEntry(
                role=assignment.role,
                role_label=domain.ROLE_LABELS[domain.Role(assignment.role)],
                name=person.name,
                phone=person.phone,
            )
        )
    return people


def _roster_place(
    cell: Cell,
    names: dict[str, str],
    parents: dict[str, str | None],
    report_url: str,
    entries: list[RosterEntry],
) -> RosterPlace:
    """A place on the roster, with its path below the root (the college) and its QR URL."""
    chain = domain.chain_to_root(cell.id, parents)
    path = " / ".join(names[i] for i in reversed(chain) if names[i] and i != chain[-1])
    return RosterPlace(
        cell_id=cell.id,
        cell_code=cell.code,
        name=cell.name,
        path=path,
        area_type_label=domain.AREA_TYPES.get(cell.area_type, cell.area_type),
        location=cell.location,
        report_url=report_url_for(report_url, cell.id),
        entries=tuple(entries),
    )


def report_url_for(base: str, cell_id: str) -> str:
    """The hazard-report page of a cell (what the roster's QR code opens)."""
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}cell={cell_id}"
