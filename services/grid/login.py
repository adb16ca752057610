"""Sign-in for people known to the grid: passwords, rate limits, the token they get.

Passwords are stored as ``werkzeug.security`` hashes (scrypt by default; pbkdf2 hashes
are verified too). A successful sign-in returns a JWT minted with
``shared.auth.mint_token`` carrying the person's id (``sub``), name, ``roles`` (set by
the security office) and unit, so a person has exactly the scope a portal token with
the same claims would have.

Rate limits are table-based (``login_attempts`` in the grid database), so they hold
across every gunicorn worker and across restarts: within ``WINDOW`` at most
``MAX_FAILURES_PER_LOGIN`` consecutive failures per account (a success resets the
count) and ``MAX_FAILURES_PER_IP`` failures per client address. Past a limit the
answer is 429 with Retry-After, before the password is even checked. Attempts older
than a day are deleted as new ones arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from services.grid.models import LoginAttempt, Person
from shared.auth import PORTAL, ROLES, SECURITY_OFFICE, Principal, mint_token
from shared.db import utcnow
from shared.errors import DomainError, Forbidden, Unauthorized

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_IP = 30
KEEP_ATTEMPTS = timedelta(days=1)
TOKEN_TTL_SECONDS = 8 * 3600  # a working day
MIN_PASSWORD_LENGTH = 8
# Roles a person may hold; `portal` is for service tokens minted by the CLI.
PERSON_ROLES = tuple(r for r in ROLES if r != PORTAL)
# Verified when the account does not exist, so both answers take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")


class TooManyAttempts(DomainError):
    status = 429
    title = "Too Many Requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after


class WeakPassword(DomainError):
    status = 422
    title = "Password too weak"


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    expires_in: int
    person: Person


# -- passwords ------------------------------------------------------------------------------
def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH or password.isdigit() or password.isalpha():
        raise WeakPassword(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters, "
            "with letters and digits (or other characters) mixed",
            invalid_params=[{"name": "password", "reason": "too weak", "location": "json"}],
        )


def set_password(session: Session, person: Person, password: str) -> None:
    check_password_strength(password)
    person.password_hash = generate_password_hash(password)  # scrypt
    person.password_changed_at = utcnow()


def require_password_admin(principal: Principal, person: Person) -> None:
    """Only the security office sets a person's (initial) password."""
    if SECURITY_OFFICE not in principal.roles:
        raise Forbidden("setting a person's password needs the security office")


def find_person(session: Session, login: str) -> Person | None:
    """A person by staff number (工号), student number (学号) or id."""
    login = login.strip()
    return session.scalars(
        select(Person).where(
            or_(Person.staff_no == login, Person.student_no == login, Person.id == login)
        )
    ).first()


# -- rate limits ----------------------------------------------------------------------------
def _retry_after(oldest: datetime | None, now: datetime) -> int:
    if oldest is None:
        return int(WINDOW.total_seconds())
    return max(1, int((oldest + WINDOW - now).total_seconds()) + 1)


def check_rate_limits(session: Session, login: str, ip: str, now: datetime) -> None:
    since = now - WINDOW
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.login == login, LoginAttempt.succeeded.is_(True)
        )
    )
    account_since = max(since, last_success) if last_success else since
    count, oldest = session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            LoginAttempt.login == login,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > account_since,
        )
    ).one()
    if count >= MAX_FAILURES_PER_LOGIN:
        raise TooManyAttempts(
            "too many failed sign-ins for this account; try again later",
            _retry_after(oldest, now),
        )
    count, oldest = session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            LoginAttempt.ip == ip, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since
        )
    ).one()
    if count >= MAX_FAILURES_PER_IP:
        raise TooManyAttempts(
            "too many failed sign-ins from this address; try again later",
            _retry_after(oldest, now),
        )


def record_attempt(session: Session, login: str, ip: str, succeeded: bool, now: datetime) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP_ATTEMPTS))
    session.add(LoginAttempt(login=login[:64], ip=ip[:45], succeeded=succeeded, at=now))


# -- sign-in --------------------------------------------------------------------------------
def verify(session: Session, login: str, password: str) -> Person:
    """The person whose password this is, or 401 (same answer for unknown accounts)."""
    person = find_person(session, login)
    stored = person.password_hash if person is not None else None
    if not check_password_hash(stored or _DUMMY_HASH, password) or stored is None:
        raise Unauthorized("wrong account or password")
    return person  # type: ignore[return-value]


def token_for(secret: str, person: Person, ttl_seconds: int = TOKEN_TTL_SECONDS) -> SignedIn:
    roles = [r for r in (person.roles or []) if r in PERSON_ROLES]
    if not roles:
        raise Forbidden("this person has no roles yet; the security office assigns them")
    token = mint_token(
        secret, person.id, roles, unit=person.unit_code, name=person.name, ttl_seconds=ttl_seconds
    )
    return SignedIn(token, ttl_seconds, person)
