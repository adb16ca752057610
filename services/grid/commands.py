"""Use cases of the grid service. Each runs in the caller's unit of work and records its
events in the same transaction.

Who may do what: services.grid.access.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.grid import domain, revocations
from services.grid.access import require_assigner, require_manager, require_role_admin
from services.grid.checks import commands as background_checks
from services.grid.checks.domain import DEFAULT_CHECKED_POSTS
from services.grid.models import Assignment, Cell, Person, SignInName, Unit
from shared import revocation
from shared.errors import DomainError, NotFound
from shared.events import record_event
from shared.principal import SECURITY_OFFICE, Principal

SOURCE = "grid"


class AlreadyExists(DomainError):
    title = "Already exists"


# -- events -------------------------------------------------------------------------------
def _unit_event(session: Session, unit: Unit) -> None:
    record_event(
        session,
        event_type="unit.changed",
        source=SOURCE,
        subject=unit.code,
        sequence=unit.version,
        data={"code": unit.code, "name": unit.name, "kind": unit.kind},
    )


def _cell_event(session: Session, cell: Cell) -> None:
    record_event(
        session,
        event_type="cell.changed",
        source=SOURCE,
        subject=cell.id,
        sequence=cell.version,
        data={
            "cell_id": cell.id,
            "code": cell.code,
            "name": cell.name,
            "level": cell.level,
            "parent_id": cell.parent_id,
            "unit_code": cell.unit_code,
            "area_type": cell.area_type,
            "location": cell.location,
            "ended_on": cell.ended_on,
            "end_reason": cell.end_reason,
        },
    )


def _assignment_event(session: Session, assignment: Assignment, person: Person) -> None:
    record_event(
        session,
        event_type="assignment.changed",
        source=SOURCE,
        subject=assignment.id,
        sequence=assignment.version,
        data={
            "assignment_id": assignment.id,
            "cell_id": assignment.cell_id,
            "person_id": assignment.person_id,
            "person_name": person.name,
            "role": assignment.role,
            "effective_from": assignment.effective_from,
            "effective_to": assignment.effective_to,
        },
    )


# -- lookups ------------------------------------------------------------------------------
# What ``get_or_404`` calls each record in its 404.
LABELS = {"unit": "单位", "person": "人员", "cell": "网格（地点）", "assignment": "网格安排"}


def get_or_404(session: Session, model: type, key: Any, label: str, lock: bool = False):
    obj = session.get(model, key, with_for_update=lock)
    if obj is None:
        raise NotFound(f"{LABELS.get(label, label)} {key} 不存在")
    return obj


def unit_name(session: Session, code: str | None) -> str:
    """What a person reads for a unit: its name (机电工程学院), the code only if unknown."""
    unit = session.get(Unit, code) if code else None
    return unit.name if unit is not None else (code or "未知单位")


def parent_map(session: Session) -> dict[str, str | None]:
    return dict(session.execute(select(Cell.id, Cell.parent_id)).all())


# -- units --------------------------------------------------------------------------------
def create_unit(session: Session, principal: Principal, *, code: str, name: str, kind: str) -> Unit:
    principal.require_role(SECURITY_OFFICE)
    if session.get(Unit, code) is not None:
        raise AlreadyExists(f"单位编码 {code} 已存在")
    unit = Unit(code=code, name=name, kind=kind, version=1)
    session.add(unit)
    session.flush()
    _unit_event(session, unit)
    return unit


def update_unit(session: Session, principal: Principal, code: str, changes: dict) -> Unit:
    principal.require_role(SECURITY_OFFICE)
    unit = get_or_404(session, Unit, code, "unit", lock=True)
    if _apply(unit, changes):
        unit.version += 1
        _unit_event(session, unit)
    return unit


def _apply(obj: Any, changes: dict) -> bool:
    changed = False
    for key, value in changes.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


# -- people -------------------------------------------------------------------------------
def create_person(session: Session, principal: Principal, **fields: Any) -> Person:
    get_or_404(session, Unit, fields["unit_code"], "unit")
    require_manager(principal, fields["unit_code"])
    fields["roles"] = sorted(set(fields.get("roles") or []))
    require_role_admin(principal, fields["roles"])
    _check_names_free(session, None, fields)
    person = Person(**fields)
    session.add(person)
    session.flush()
    _claim_names(session, person, set())
    return person


# -- sign-in names: a person's id, staff and student numbers, one namespace ---------------
NUMBERS = {"staff_no": "工号", "student_no": "学号"}


def _sign_in_names(person: Person) -> set[str]:
    return {name for name in (person.id, person.staff_no, person.student_no) if name}


def _name_taken(field: str, value: str) -> AlreadyExists:
    reason = (
        f"{NUMBERS[field]} {value} 已是另一个人的登录名"
        "（工号、学号和人员编号共用一套登录名，不能重复）"
    )
    return AlreadyExists(
        reason, invalid_params=[{"name": field, "reason": reason, "location": "json"}]
    )


def _check_names_free(session: Session, person_id: str | None, numbers: dict) -> None:
    """409 naming the field when a staff or student number already signs in another
    person (as that person's id, staff number or student number)."""
    for field in NUMBERS:
        value = numbers.get(field)
        if value:
            owner = session.scalar(select(SignInName.person_id).where(SignInName.name == value))
            if owner is not None and owner != person_id:
                raise _name_taken(field, value)


def _claim_names(session: Session, person: Person, before: set[str]) -> None:
    """Keep sign_in_names in step with the person. Its primary key is the rule in the
    database: a name another transaction claimed after our check fails it, the same 409."""
    after = _sign_in_names(person)
    if before - after:
        session.execute(
            delete(SignInName).where(
                SignInName.person_id == person.id, SignInName.name.in_(before - after)
            )
        )
    claimed = after - before
    if not claimed:
        return
    try:
        with session.begin_nested():
            session.add_all(SignInName(name=name, person_id=person.id) for name in claimed)
    except IntegrityError as exc:
        field = next((f for f in NUMBERS if getattr(person, f) in claimed), "staff_no")
        raise _name_taken(field, getattr(person, field) or person.id) from exc


def update_person(session: Session, principal: Principal, person_id: str, changes: dict) -> Person:
    person = get_or_404(session, Person, person_id, "person", lock=True)
    require_manager(principal, person.unit_code)
    if "roles" in changes:
        changes["roles"] = sorted(set(changes["roles"]))
        if changes["roles"] != sorted(person.roles or []):
            principal.require_role(SECURITY_OFFICE)
    if "unit_code" in changes:
        get_or_404(session, Unit, changes["unit_code"], "unit")
        require_manager(principal, changes["unit_code"])
    _check_names_free(session, person.id, changes)
    names_before = _sign_in_names(person)
    renamed = "name" in changes and changes["name"] != person.name
    narrowed = _access_narrowed(person, changes)
    _apply(person, changes)
    _claim_names(session, person, names_before)
    if narrowed:  # tokens carry roles and unit: the old ones must stop working everywhere
        revocations.person_access(session, person.id, narrowed)
    if renamed:  # projections carry the holder's name: re-announce current assignments
        for assignment in session.scalars(
            select(Assignment).where(
                Assignment.person_id == person.id, Assignment.effective_to.is_(None)
            )
        ):
            assignment.version += 1
            _assignment_event(session, assignment, person)
    return person


def _access_narrowed(person: Person, changes: dict) -> str | None:
    """Why the person's tokens say more than they may now: a role removed, another unit,
    or another 学号/工号 (tokens carry them; check-in trusts them, and the old number may
    go to someone else) — shared.revocation reasons; None when they still hold."""
    if set(person.roles or []) - set(changes.get("roles", person.roles or [])):
        return revocation.ROLES_CHANGED
    if changes.get("unit_code", person.unit_code) != person.unit_code:
        return revocation.UNIT_CHANGED
    if any((changes.get(f, getattr(person, f)) or None) != getattr(person, f) for f in NUMBERS):
        return revocation.NUMBER_CHANGED
    return None


# -- cells --------------------------------------------------------------------------------
def create_cell(
    session: Session,
    principal: Principal,
    *,
    code: str,
    name: str,
    area_type: str,
    parent_id: str | None = None,
    unit_code: str | None = None,
    location: str | None = None,
) -> Cell:
    if session.scalar(select(Cell.id).where(Cell.code == code)) is not None:
        raise AlreadyExists(f"网格编码 {code} 已存在")
    parent = get_or_404(session, Cell, parent_id, "cell") if parent_id else None
    if parent is not None:
        domain.check_open(parent.ended_on, "不能在它下面新建地点")
    level = domain.child_level(parent.level if parent else None)
    if level == domain.ROOT_LEVEL:
        principal.require_role(SECURITY_OFFICE)
        if session.scalar(select(Cell.id).where(Cell.parent_id.is_(None))) is not None:
            raise domain.TreeConflict("网格已有根节点（学校）")
        unit_code = None
    elif level == domain.UNIT_LEVEL:
        principal.require_role(SECURITY_OFFICE)
        if not unit_code:
            raise domain.TreeConflict("二级网格须写明所属单位（unit_code）")
        get_or_404(session, Unit, unit_code, "unit")
    else:
        unit_code = parent.unit_code
        require_manager(principal, unit_code)
    cell = Cell(
        code=code,
        name=name,
        level=level,
        parent_id=parent.id if parent else None,
        unit_code=unit_code,
        area_type=area_type,
        location=location,
        version=1,
    )
    session.add(cell)
    session.flush()
    _cell_event(session, cell)
    return cell


def update_cell(session: Session, principal: Principal, cell_id: str, changes: dict) -> Cell:
    cell = get_or_404(session, Cell, cell_id, "cell", lock=True)
    require_manager(principal, cell.unit_code)
    if _apply(cell, changes):
        cell.version += 1
        _cell_event(session, cell)
    return cell


def move_cell(session: Session, principal: Principal, cell_id: str, new_parent_id: str) -> Cell:
    """Move a place under another parent, keeping the tree acyclic; levels follow."""
    cell = get_or_404(session, Cell, cell_id, "cell", lock=True)
    parent = get_or_404(session, Cell, new_parent_id, "cell")
    if cell.level <= domain.UNIT_LEVEL:
        raise domain.TreeConflict("学校和单位两级网格不能移动，只能移动地点")
    domain.check_open(cell.ended_on, "不能移动")
    domain.check_open(parent.ended_on, "不能把地点移到它下面")
    domain.check_move(cell.id, parent.id, parent_map(session))
    if parent.level < domain.UNIT_LEVEL:
        raise domain.TreeConflict("地点只能放在单位网格或另一个地点之下")
    require_manager(principal, cell.unit_code)
    require_manager(principal, parent.unit_code)
    cell.parent_id = parent.id
    _relevel(session, cell, parent.level + 1, parent.unit_code)
    return cell


def _relevel(session: Session, cell: Cell, level: int, unit_code: str | None) -> None:
    cell.level, cell.unit_code = level, unit_code
    cell.version += 1
    _cell_event(session, cell)
    for child in session.scalars(select(Cell).where(Cell.parent_id == cell.id)):
        _relevel(session, child, level + 1, unit_code)


def end_cell(
    session: Session,
    principal: Principal,
    cell_id: str,
    *,
    ended_on: date,
    reason: str,
    today: date,
) -> Cell:
    """End (停用) a place: its open assignments end that day, through their normal closing
    path (their events go out), and the cell records the day and why."""
    cell = get_or_404(session, Cell, cell_id, "cell", lock=True)
    require_manager(principal, cell.unit_code)
    open_children = session.scalars(
        select(Cell.id).where(Cell.parent_id == cell.id, Cell.ended_on.is_(None))
    ).all()
    domain.check_end_place(cell.level, cell.ended_on, open_children, ended_on, today)
    for assignment in session.scalars(
        select(Assignment)
        .where(Assignment.cell_id == cell.id, Assignment.effective_to.is_(None))
        .order_by(Assignment.role, Assignment.effective_from)
    ):
        domain.check_end(_period(assignment), ended_on)
        _close(session, assignment, ended_on)
    cell.ended_on, cell.end_reason = ended_on, reason
    cell.version += 1
    _cell_event(session, cell)
    return cell


# -- assignments --------------------------------------------------------------------------
def assign(
    session: Session,
    principal: Principal,
    *,
    cell_id: str,
    person_id: str,
    role: str,
    effective_from: date,
    checked_posts: str = DEFAULT_CHECKED_POSTS,
) -> tuple[Assignment, bool]:
    """Give ``person`` the ``role`` for ``cell`` from a date; returns (assignment, created).

    For a single-holder role the current holder's assignment ends on that date and the
    new one starts on it, in one transaction. Assigning the current holder again is a
    no-op, which makes roster re-imports idempotent. A post listed in ``checked_posts``
    (the setting) needs a background check valid on its first day (checks' rule: 409).
    """
    cell = get_or_404(session, Cell, cell_id, "cell", lock=True)
    require_manager(principal, cell.unit_code)
    domain.check_open(cell.ended_on, "不能再安排人员")
    person = get_or_404(session, Person, person_id, "person")
    require_assigner(principal, person.unit_code, unit_name(session, person.unit_code))
    current = list(
        session.scalars(
            select(Assignment).where(
                Assignment.cell_id == cell.id,
                Assignment.role == role,
                Assignment.effective_to.is_(None),
            )
        )
    )
    for assignment in current:
        if assignment.person_id == person.id:
            return assignment, False
    background_checks.require_for_post(
        session,
        person.id,
        role,
        domain.ROLE_LABELS.get(domain.Role(role), role),
        checked_posts,
        effective_from,
    )
    if role in domain.SINGLE_HOLDER_ROLES:
        domain.check_handover([_period(a) for a in current], effective_from)
        for assignment in current:
            _close(session, assignment, effective_from)
    new = Assignment(
        cell_id=cell.id,
        person_id=person.id,
        role=role,
        effective_from=effective_from,
        effective_to=None,
        version=1,
        created_by=principal.sub,
    )
    session.add(new)
    session.flush()
    _assignment_event(session, new, person)
    return new, True


def end_assignment(
    session: Session, principal: Principal, assignment_id: str, effective_to: date
) -> Assignment:
    assignment = get_or_404(session, Assignment, assignment_id, "assignment", lock=True)
    cell = get_or_404(session, Cell, assignment.cell_id, "cell")
    require_manager(principal, cell.unit_code)
    if assignment.effective_to is not None:
        raise domain.AssignmentConflict(f"该网格安排已于 {assignment.effective_to} 结束")
    domain.check_end(_period(assignment), effective_to)
    _close(session, assignment, effective_to)
    return assignment


def _close(session: Session, assignment: Assignment, effective_to: date) -> None:
    assignment.effective_to = effective_to
    assignment.version += 1
    _assignment_event(session, assignment, session.get(Person, assignment.person_id))


def _period(assignment: Assignment) -> domain.Period:
    return domain.Period(assignment.person_id, assignment.effective_from, assignment.effective_to)
