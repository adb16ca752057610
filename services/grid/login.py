"""Sign-in for people known to the grid: passwords, rate limits, the token they get.

Passwords are stored as ``werkzeug.security`` hashes (scrypt by default; pbkdf2 hashes
are verified too). A successful sign-in returns a JWT minted with
``shared.auth.mint_token`` carrying the person's id (``sub``), name, ``roles`` (set by
the security office) and unit, so a person has exactly the scope a portal token with
the same claims would have.

Rate limits are table-based (``login_attempts`` in the grid database), so they hold
across every gunicorn worker and across restarts: within ``WINDOW`` at most
``MAX_FAILURES_PER_LOGIN`` consecutive failures per person (a success resets the
count; the person's staff number, student number and id share one allowance, a login
naming nobody is counted per typed string) and ``MAX_FAILURES_PER_IP`` failures per
client address. Past a limit the answer is 429 with Retry-After, before the password is
even checked. The check cannot be raced: each attempt is first recorded (as a failure)
and committed, then the failures are counted including it and every concurrent one, so
of N parallel attempts at most the limit get their password checked (``begin_attempt``,
``check_rate_limits``). Attempts older than a day are deleted as new ones arrive.

Signing out ends the token on every service (``sign_out``; services/grid/revocations.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from services.grid import revocations
from services.grid.models import LoginAttempt, Person
from shared import revocation
from shared.auth import VerifiedToken, mint_token
from shared.errors import DomainError, Forbidden, Unauthorized
from shared.principal import PORTAL, ROLES
from shared.revocation_store import is_token_refused
from shared.timeutil import utcnow

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
    """A new password; tokens signed in with the old one stop working everywhere."""
    check_password_strength(password)
    had_one = person.password_hash is not None
    person.password_hash = generate_password_hash(password)  # scrypt
    person.password_changed_at = utcnow()
    if had_one:
        revocations.person_access(session, person.id, revocation.PASSWORD_CHANGED)


def remove_sign_in(session: Session, person: Person) -> None:
    """The person can no longer sign in, and their tokens stop working everywhere."""
    person.password_hash = None
    person.password_changed_at = utcnow()
    revocations.person_access(session, person.id, revocation.SIGN_IN_REMOVED)


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


def begin_attempt(
    session: Session, login: str, ip: str, now: datetime, person_id: str | None = None
) -> int:
    """Record an attempt as a failure before anything is checked; its id.

    The caller commits it on its own, then calls ``check_rate_limits``: every concurrent
    attempt is then counted by the others, so N parallel guesses cannot all pass a check
    made before any of them was recorded. The attempt counts for the person the login
    names (``person_id``: staff number, student number and id share one allowance), or
    for the typed string when it names nobody."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP_ATTEMPTS))
    if person_id is None:
        person = find_person(session, login)
        person_id = person.id if person is not None else None
    attempt = LoginAttempt(
        login=login.strip()[:64], person_id=person_id, ip=ip[:45], succeeded=False, at=now
    )
    session.add(attempt)
    session.flush()
    return attempt.id


def _same_account(attempt: LoginAttempt):
    if attempt.person_id is not None:
        return LoginAttempt.person_id == attempt.person_id
    return (LoginAttempt.person_id.is_(None)) & (LoginAttempt.login == attempt.login)


def check_rate_limits(session: Session, attempt_id: int, now: datetime) -> None:
    """TooManyAttempts when the failures before this attempt (recorded by
    ``begin_attempt`` and committed, in-flight ones included) reach a limit."""
    attempt = session.get(LoginAttempt, attempt_id)
    if attempt is None:  # pruned meanwhile: nothing to count against
        return
    since = now - WINDOW
    account = _same_account(attempt)
    last_success = session.scalar(
        select(func.max(LoginAttempt.id)).where(account, LoginAttempt.succeeded.is_(True))
    )
    count, oldest = session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            account,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
            LoginAttempt.id > (last_success or 0),
        )
    ).one()
    if count > MAX_FAILURES_PER_LOGIN:  # this attempt is one of them
        raise TooManyAttempts(
            "too many failed sign-ins for this account; try again later",
            _retry_after(oldest, now),
        )
    count, oldest = session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            LoginAttempt.ip == attempt.ip,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
        )
    ).one()
    if count > MAX_FAILURES_PER_IP:
        raise TooManyAttempts(
            "too many failed sign-ins from this address; try again later",
            _retry_after(oldest, now),
        )


def forget_attempt(session: Session, attempt_id: int) -> None:
    """An attempt refused before its password was checked (429) does not count."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))


def attempt_succeeded(session: Session, attempt_id: int) -> None:
    """The password was right: the person's earlier failures stop counting."""
    attempt = session.get(LoginAttempt, attempt_id)
    if attempt is not None:
        attempt.succeeded = True


# -- sign-out ------------------------------------------------------------------------------
def sign_out(session: Session, token: VerifiedToken) -> None:
    """The token stops working on every service (services/grid/revocations.py)."""
    expires_at = datetime.fromtimestamp(token.expires, UTC)
    revocations.signed_out(session, token.principal.sub, token.token_id, expires_at)


def is_revoked(session: Session, token: VerifiedToken) -> bool:
    """Signed out, or its person lost access since it was issued (asked of the database
    now: the console asks this before serving a page)."""
    return is_token_refused(session, token.principal.sub, token.token_id, token.issued_at)


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
        secret,
        person.id,
        roles,
        unit=person.unit_code,
        name=person.name,
        ttl_seconds=ttl_seconds,
        number=person.student_no or person.staff_no,  # what activities enrol the person by
    )
    return SignedIn(token, ttl_seconds, person)
