"""Read side of the grid: who held what when, the escalation chain, gaps, rosters."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services.grid import domain
from services.grid.commands import get_or_404, parent_map
from services.grid.models import Assignment, Cell, Person, Unit
from services.grid.roster import Roster, RosterEntry, RosterPlace


def active_on(day: date):
    """SQL condition: the assignment covers ``day`` (half-open period)."""
    return and_(
        Assignment.effective_from <= day,
        or_(Assignment.effective_to.is_(None), Assignment.effective_to > day),
    )


def holders_on(session: Session, cell_id: str, day: date, role: str | None = None):
    get_or_404(session, Cell, cell_id, "cell")
    stmt = (
        select(Assignment, Person)
        .join(Person, Person.id == Assignment.person_id)
        .where(Assignment.cell_id == cell_id, active_on(day))
        .order_by(Assignment.role, Assignment.effective_from)
    )
    if role:
        stmt = stmt.where(Assignment.role == role)
    return session.execute(stmt).all()


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
    cells_stmt = select(Cell).where(Cell.level > domain.UNIT_LEVEL).order_by(Cell.code)
    if unit_code:
        cells_stmt = cells_stmt.where(Cell.unit_code == unit_code)
    cells = session.scalars(cells_stmt).all()
    held: dict[str, set[str]] = {}
    rows = session.execute(
        select(Assignment.cell_id, Assignment.role).where(
            Assignment.cell_id.in_([c.id for c in cells]), active_on(day)
        )
    )
    for cell_id, role in rows:
        held.setdefault(cell_id, set()).add(role)
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
    """The roster of a unit or of an area type: every place with its current people."""
    stmt = select(Cell).where(Cell.level > domain.UNIT_LEVEL).order_by(Cell.code)
    if unit_code:
        stmt = stmt.where(Cell.unit_code == unit_code)
    if area_type:
        stmt = stmt.where(Cell.area_type == area_type)
    cells = session.scalars(stmt).all()
    names = {c.id: c.name for c in session.scalars(select(Cell))}
    parents = parent_map(session)
    units = dict(session.execute(select(Unit.code, Unit.name)).all())
    people: dict[str, list[RosterEntry]] = {}
    rows = session.execute(
        select(Assignment, Person)
        .join(Person, Person.id == Assignment.person_id)
        .where(Assignment.cell_id.in_([c.id for c in cells]), active_on(day))
    )
    order = {role.value: i for i, role in enumerate(domain.Role)}
    for assignment, person in sorted(rows, key=lambda r: (order[r[0].role], r[1].name)):
        people.setdefault(assignment.cell_id, []).append(
            RosterEntry(
                role=assignment.role,
                role_label=domain.ROLE_LABELS[domain.Role(assignment.role)],
                name=person.name,
                phone=person.phone,
            )
        )
    places = []
    for cell in cells:
        chain = domain.chain_to_root(cell.id, parents)
        path = " / ".join(names[i] for i in reversed(chain) if names[i] and i != chain[-1])
        places.append(
            RosterPlace(
                cell_id=cell.id,
                cell_code=cell.code,
                name=cell.name,
                path=path,
                area_type_label=domain.AREA_TYPES.get(cell.area_type, cell.area_type),
                location=cell.location,
                report_url=report_url_for(report_url, cell.id),
                entries=tuple(people.get(cell.id, [])),
            )
        )
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
        places=tuple(places),
    )


def report_url_for(base: str, cell_id: str) -> str:
    """The hazard-report page of a cell (what the roster's QR code opens)."""
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}cell={cell_id}"
