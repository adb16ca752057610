"""Use cases of background checks. Each access to a check is logged in the caller's
transaction (reads included); nothing here records an event: no text of a check leaves
the grid's database."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.grid.checks import domain
from services.grid.checks.access import require_checker
from services.grid.models import BackgroundCheck, BackgroundCheckAccessLog, Person
from shared import context
from shared.errors import NotFound
from shared.principal import Principal


def _log(
    session: Session, principal: Principal, action: str, check: BackgroundCheck | None
) -> None:
    session.add(
        BackgroundCheckAccessLog(
            check_id=check.id if check else None,
            person_id=check.person_id if check else None,
            action=action,
            actor=principal.sub,
            actor_name=principal.name[:100],
            request_id=context.request_id.get(),
        )
    )


def _get(session: Session, check_id: str, lock: bool = False) -> BackgroundCheck:
    check = session.get(BackgroundCheck, check_id, with_for_update=lock)
    if check is None:
        raise NotFound(f"背景审查记录 {check_id} 不存在")
    return check


def fact(check: BackgroundCheck) -> domain.CheckFact:
    return domain.CheckFact(check.kind, check.result, check.checked_on, check.valid_until)


def create_check(session: Session, principal: Principal, **fields: Any) -> BackgroundCheck:
    require_checker(principal)
    if session.get(Person, fields["person_id"]) is None:
        reason = f"人员 {fields['person_id']} 不存在"
        raise NotFound(
            reason, invalid_params=[{"name": "person_id", "reason": reason, "location": "json"}]
        )
    domain.check_dates(fields["checked_on"], fields["valid_until"])
    check = BackgroundCheck(**fields, version=1, created_by=principal.sub)
    session.add(check)
    session.flush()
    _log(session, principal, "create", check)
    return check


def read_check(session: Session, principal: Principal, check_id: str) -> BackgroundCheck:
    require_checker(principal)
    check = _get(session, check_id)
    _log(session, principal, "read", check)
    return check


def update_check(
    session: Session, principal: Principal, check_id: str, changes: dict
) -> BackgroundCheck:
    require_checker(principal)
    check = _get(session, check_id, lock=True)
    domain.check_dates(
        changes.get("checked_on", check.checked_on), changes.get("valid_until", check.valid_until)
    )
    changed = False
    for key, value in changes.items():
        if key in domain.UPDATABLE and getattr(check, key) != value:
            setattr(check, key, value)
            changed = True
    if changed:
        check.version += 1
    _log(session, principal, "update", check)
    return check


def list_checks(
    session: Session,
    principal: Principal,
    *,
    person_id: str | None = None,
    unit_code: str | None = None,
    kind: str | None = None,
    result: str | None = None,
    valid_on: date | None = None,
) -> list[tuple[BackgroundCheck, Person]]:
    """Checks with their person, newest first; each listed check counts as read (logged).
    ``valid_on``: only checks valid on that day (``domain.CheckFact.valid_on`` in SQL)."""
    require_checker(principal)
    stmt = (
        select(BackgroundCheck, Person)
        .join(Person, Person.id == BackgroundCheck.person_id)
        .order_by(BackgroundCheck.checked_on.desc(), BackgroundCheck.id)
    )
    if person_id:
        stmt = stmt.where(BackgroundCheck.person_id == person_id)
    if unit_code:
        stmt = stmt.where(Person.unit_code == unit_code)
    if kind:
        stmt = stmt.where(BackgroundCheck.kind == kind)
    if result:
        stmt = stmt.where(BackgroundCheck.result == result)
    if valid_on:
        stmt = stmt.where(
            BackgroundCheck.result == domain.PASSED,
            BackgroundCheck.checked_on <= valid_on,
            BackgroundCheck.valid_until >= valid_on,
        )
    rows = [(check, person) for check, person in session.execute(stmt.limit(1000))]
    for check, _person in rows:
        _log(session, principal, "list", check)
    return rows


def access_log(session: Session, principal: Principal, person_id: str | None = None) -> list:
    """The audit trail (no content), newest first."""
    require_checker(principal)
    stmt = select(BackgroundCheckAccessLog).order_by(BackgroundCheckAccessLog.id.desc())
    if person_id:
        stmt = stmt.where(BackgroundCheckAccessLog.person_id == person_id)
    return list(session.scalars(stmt.limit(1000)))


# -- what the grid asks ------------------------------------------------------------------
def require_for_post(
    session: Session, person_id: str, role: str, role_label: str, posts: str, day: date
) -> None:
    """The grid's assignment asks here: 409 naming the check when ``role`` is one of the
    ``posts`` (the ``checked_posts`` setting) and the person has no check valid on ``day``.
    Not an access: the caller learns only that no valid check exists."""
    wanted = domain.checked_posts(posts)
    if not domain.needs_check(role, wanted):
        return
    checks = session.scalars(select(BackgroundCheck).where(BackgroundCheck.person_id == person_id))
    domain.require_valid_check(role, role_label, wanted, [fact(c) for c in checks], day)


def expiring(session: Session, today: date) -> dict[str, tuple[Person, date]]:
    """People whose valid checks end within ``domain.EXPIRING_DAYS`` (for the to-do)."""
    by_person: dict[str, list[domain.CheckFact]] = defaultdict(list)
    for check in session.scalars(
        select(BackgroundCheck).where(
            BackgroundCheck.result == domain.PASSED, BackgroundCheck.valid_until >= today
        )
    ):
        by_person[check.person_id].append(fact(check))
    ends = domain.expiring(by_person, today)
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(list(ends))))}
    return {pid: (people[pid], until) for pid, until in ends.items() if pid in people}
