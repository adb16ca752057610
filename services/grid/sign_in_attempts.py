"""The security office's view of sign-in attacks: recent failed attempts, grouped by the
account they named and the address they came from (IPv6 by its /64, as the limits count
it: ``login.address_key``) (``GET /auth/attempts``; the console's
「登录异常」 page). The rate limits that act on the same rows: services/grid/login.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.grid.login import MAX_FAILURES_PER_LOGIN, pair_state
from services.grid.models import LoginAttempt, Person

MAX_GROUPS = 200
LEVEL_LABELS = {
    "many": "失败较多（已逐次延迟）",
    "few": "少量失败",
}


@dataclass(frozen=True)
class AttemptGroup:
    """Failures naming one account from one address."""

    login: str
    person_id: str | None
    person_name: str | None
    unit_code: str | None
    ip: str
    failures: int
    first_at: datetime
    last_at: datetime
    delayed_until: datetime | None  # login.pair_state: when its next attempt may come

    @property
    def level(self) -> str:
        return "many" if self.failures >= MAX_FAILURES_PER_LOGIN else "few"

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


def recent_failures(session: Session, now: datetime, hours: int) -> list[AttemptGroup]:
    """Failed attempts of the last ``hours``, most failures first (at most ``MAX_GROUPS``
    groups). A login naming a person is shown as that person, whichever number was typed."""
    account = func.coalesce(LoginAttempt.person_id, LoginAttempt.login)
    rows = session.execute(
        select(
            func.min(LoginAttempt.login),
            LoginAttempt.person_id,
            LoginAttempt.ip,
            func.count(),
            func.min(LoginAttempt.at),
            func.max(LoginAttempt.at),
        )
        .where(LoginAttempt.succeeded.is_(False), LoginAttempt.at > now - timedelta(hours=hours))
        .group_by(account, LoginAttempt.person_id, LoginAttempt.ip)
        .order_by(func.count().desc(), func.max(LoginAttempt.at).desc())
        .limit(MAX_GROUPS)
    ).all()
    people = _people(session, {row[1] for row in rows if row[1]})
    groups = []
    for login, person_id, ip, failures, first_at, last_at in rows:
        person = people.get(person_id)
        # The limiter's own answer (failures since the pair's last success), not a second
        # computation from this report's counts.
        until = pair_state(session, person_id, login, ip, now).delayed_until
        groups.append(
            AttemptGroup(
                login=login,
                person_id=person_id,
                person_name=person.name if person else None,
                unit_code=person.unit_code if person else None,
                ip=ip,
                failures=failures,
                first_at=first_at,
                last_at=last_at,
                delayed_until=until,
            )
        )
    return groups


def _people(session: Session, ids: set[str]) -> dict[str, Person]:
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
