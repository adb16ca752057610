"""Use cases of responsibility letters: record a post's signed letter for a year, attach
its scan, list a year's posts with their letters (who has not signed), read a letter."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services.grid.letters import domain
from services.grid.letters.access import read_scope, require_reader, require_recorder
from services.grid.models import Assignment, Cell, Person, ResponsibilityLetter
from shared import files
from shared.errors import NotFound
from shared.events import record_event
from shared.principal import Principal
from shared.timeutil import utcnow


def _assignment(session: Session, assignment_id: str) -> tuple[Assignment, Cell]:
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        reason = f"网格安排 {assignment_id} 不存在"
        raise NotFound(
            reason,
            invalid_params=[{"name": "assignment_id", "reason": reason, "location": "json"}],
        )
    return assignment, session.get(Cell, assignment.cell_id)


def get_letter(
    session: Session, principal: Principal, letter_id: str
) -> tuple[ResponsibilityLetter, Assignment, Cell]:
    letter = session.get(ResponsibilityLetter, letter_id)
    if letter is None:
        raise NotFound(f"安全责任书 {letter_id} 不存在")
    assignment, cell = _assignment(session, letter.assignment_id)
    require_reader(principal, cell.unit_code)
    return letter, assignment, cell


def sign(
    session: Session,
    principal: Principal,
    *,
    assignment_id: str,
    year: int,
    signed_on: date,
    today: date,
) -> ResponsibilityLetter:
    """Record that the post's holder signed the year's letter (once per post and year)."""
    assignment, cell = _assignment(session, assignment_id)
    require_recorder(principal, cell.unit_code, assignment.person_id)
    domain.check_signing(assignment.effective_from, assignment.effective_to, year, signed_on, today)
    existing = session.scalar(
        select(ResponsibilityLetter).where(
            ResponsibilityLetter.assignment_id == assignment.id, ResponsibilityLetter.year == year
        )
    )
    if existing is not None:
        raise domain.LetterConflict(
            f"该岗位 {year} 年度的安全责任书已于 {existing.signed_on} 登记", letter_id=existing.id
        )
    letter = ResponsibilityLetter(
        assignment_id=assignment.id, year=year, signed_on=signed_on, recorded_by=principal.sub
    )
    session.add(letter)
    session.flush()
    record_event(
        session,
        event_type="letter.signed",
        source="grid",
        subject=letter.id,
        sequence=1,
        data={
            "letter_id": letter.id,
            "assignment_id": letter.assignment_id,
            "year": letter.year,
            "signed_on": letter.signed_on,
        },
    )
    return letter


def attach_scan(
    session: Session, principal: Principal, letter_id: str, upload: files.Upload
) -> ResponsibilityLetter:
    """The signed scan (PDF, JPEG or PNG); a new one replaces the old."""
    letter, assignment, cell = get_letter(session, principal, letter_id)
    require_recorder(principal, cell.unit_code, assignment.person_id)
    domain.check_scan_type(
        files.check_upload(upload.filename, upload.declared_type, upload.content, upload.max_bytes)
    )
    stored = files.accept(upload)
    letter.sha256, letter.filename, letter.size = stored.sha256, stored.filename, stored.size
    letter.content_type, letter.uploaded_by = stored.media_type, principal.sub
    letter.uploaded_at = utcnow()
    return letter


def posts(
    session: Session,
    principal: Principal,
    *,
    year: int,
    unit_code: str | None = None,
    signed: bool | None = None,
) -> list[dict[str, Any]]:
    """The posts held in ``year`` in the caller's scope, each with its letter or None;
    ``signed=False`` is who has not signed."""
    starts, ends = date(year, 1, 1), date(year + 1, 1, 1)
    stmt = (
        select(Assignment, Cell, Person, ResponsibilityLetter)
        .join(Cell, Cell.id == Assignment.cell_id)
        .join(Person, Person.id == Assignment.person_id)
        .outerjoin(
            ResponsibilityLetter,
            and_(
                ResponsibilityLetter.assignment_id == Assignment.id,
                ResponsibilityLetter.year == year,
            ),
        )
        .where(
            Assignment.effective_from < ends,
            or_(Assignment.effective_to.is_(None), Assignment.effective_to > starts),
            read_scope(principal),
        )
        .order_by(Cell.unit_code, Cell.code, Assignment.role, Assignment.effective_from)
    )
    if unit_code:
        stmt = stmt.where(Cell.unit_code == unit_code)
    if signed is True:
        stmt = stmt.where(ResponsibilityLetter.id.is_not(None))
    elif signed is False:
        stmt = stmt.where(ResponsibilityLetter.id.is_(None))
    return [
        {"assignment": a, "cell": c, "person": p, "letter": letter, "year": year}
        for a, c, p, letter in session.execute(stmt.limit(5000))
    ]
