"""Sign-in for people known to the grid: passwords, rate limits, the token they get.

Passwords are stored as ``werkzeug.security`` hashes (scrypt by default; pbkdf2 hashes
are verified too). A successful sign-in returns a JWT minted with
``shared.auth.mint_token`` carrying the person's id (``sub``), name, ``roles`` (set by
the security office) and unit, so a person has exactly the scope a portal token with
the same claims would have.

Rate limits are table-based (``login_attempts`` in the grid database), so they hold across
every gunicorn worker and across restarts. An address is counted by ``address_key``: IPv6
by its /64 (a stranger rotating addresses within his network is one address), IPv4 as is.
The person's staff number, student number and id are one account; a login naming nobody
is counted per typed string. The rule, in the order it is asked:

1. The pair (account, address): ``MAX_FAILURES_PER_LOGIN`` consecutive failures free (a
   success there resets them), then each further attempt waits a delay that doubles with
   each failure (``pair_delay``: 30 s, 1 min … up to ``MAX_DELAY``). A delayed pair gets 429
   before its password is checked, whoever it is (``pair_state``, which the attempts report
   asks too).
2. An address the account signed in from within ``KNOWN_ADDRESS_FOR`` (30 days; the latest
   success per pair is kept that long) passes the ceilings: the person at their own desk,
   phone network or NAT is never locked out by anyone else's failures.
3. Elsewhere the ceilings stop the password being checked (429): the account at most
   ``MAX_FAILURES_PER_ACCOUNT`` failures an hour from every address together, and an
   address at most ``MAX_FAILURES_PER_IP`` failures per ``WINDOW`` — failures naming people
   and failures naming nobody counted apart, so a spray of invented names from a shared NAT
   address stops only invented names.

So guessing stays bounded: from unknown addresses an account takes at most
``MAX_FAILURES_PER_ACCOUNT`` guesses an hour however many addresses the guesser holds (a
correct password from an unknown address is refused too while the ceiling holds — that is
the ceiling), and one address at most ``MAX_FAILURES_PER_IP`` guesses at people per
``WINDOW`` plus five per account before the delays; a guesser at a known address is the
person's own network and still meets the pair's delays. What a stranger can still do: with
hundreds of /64 networks, keep a person from signing in from a new address for an hour.
Past a limit the answer is 429 with Retry-After. The attempts are the security office's
view of an attack (services/grid/sign_in_attempts.py). The check cannot be raced: each
attempt is first recorded (as a failure) and committed, then the failures are counted
including every concurrent one, so of N parallel attempts at most the limit get their
password checked (``begin_attempt``, ``check_rate_limits``). Failed attempts older than a
day are deleted as new ones arrive.

Signing out ends the token on every service (``sign_out``; services/grid/revocations.py).
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from services.grid import revocations
from services.grid.models import LoginAttempt, Person
from shared import revocation
from shared.auth import VerifiedToken, mint_token
from shared.errors import Forbidden, Unauthorized
from shared.passwords import (  # noqa: F401  (re-exported: the grid's callers name them here)
    MIN_PASSWORD_LENGTH,
    TooManyAttempts,
    WeakPassword,
    check_password_strength,
)
from shared.principal import PORTAL, ROLES
from shared.revocation_store import is_token_refused
from shared.timeutil import utcnow

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_LOGIN = 5  # free consecutive failures per account and address
FIRST_DELAY = timedelta(seconds=30)  # after them; doubled with each further failure
MAX_DELAY = timedelta(minutes=15)
ACCOUNT_WINDOW = timedelta(hours=1)
MAX_FAILURES_PER_ACCOUNT = 300  # an hour, every address together: far beyond one stranger
MAX_FAILURES_PER_IP = 100  # per WINDOW, every account together
KEEP_ATTEMPTS = timedelta(days=1)  # failures
KNOWN_ADDRESS_FOR = timedelta(days=30)  # a success: the address passes the ceilings
TOKEN_TTL_SECONDS = 8 * 3600  # a working day
# Roles a person may hold; `portal` is for service tokens minted by the CLI.
PERSON_ROLES = tuple(r for r in ROLES if r != PORTAL)
# Verified when the account does not exist, so both answers take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    expires_in: int
    person: Person


# -- passwords ------------------------------------------------------------------------------
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
def _seconds_until(moment: datetime, now: datetime) -> int:
    """Retry-After: whole seconds, rounded up, at least one."""
    return max(1, math.ceil((moment - now).total_seconds()))


def address_key(ip: str) -> str:
    """The address every limit counts (and the attempts report shows): an IPv6 address by
    its /64, which one household or one device holds whole (privacy addresses rotate
    within it), an IPv4 address (or an IPv4-mapped IPv6 one) as is."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ip.strip()[:45]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def begin_attempt(
    session: Session, login: str, ip: str, now: datetime, person_id: str | None = None
) -> int:
    """Record an attempt as a failure before anything is checked; its id.

    The caller commits it on its own, then calls ``check_rate_limits``: every concurrent
    attempt is then counted by the others, so N parallel guesses cannot all pass a check
    made before any of them was recorded. The attempt counts for the person the login
    names (``person_id``: staff number, student number and id share one allowance), or
    for the typed string when it names nobody, from ``address_key(ip)``."""
    session.execute(
        delete(LoginAttempt).where(
            (LoginAttempt.at < now - KNOWN_ADDRESS_FOR)
            | (LoginAttempt.succeeded.is_(False) & (LoginAttempt.at < now - KEEP_ATTEMPTS))
        )
    )
    if person_id is None:
        person = find_person(session, login)
        person_id = person.id if person is not None else None
    attempt = LoginAttempt(
        login=login.strip()[:64], person_id=person_id, ip=address_key(ip), succeeded=False, at=now
    )
    session.add(attempt)
    session.flush()
    return attempt.id


def _account(person_id: str | None, login: str) -> ColumnElement[bool]:
    if person_id is not None:
        return LoginAttempt.person_id == person_id
    return (LoginAttempt.person_id.is_(None)) & (LoginAttempt.login == login)


def pair_delay(failures: int) -> timedelta:
    """How long an account waits after ``failures`` consecutive failures from one address:
    nothing for the first ``MAX_FAILURES_PER_LOGIN``, then a doubling delay, capped."""
    extra = failures - MAX_FAILURES_PER_LOGIN
    if extra < 0:
        return timedelta(0)
    return min(MAX_DELAY, FIRST_DELAY * 2 ** min(extra, 16))


@dataclass(frozen=True)
class PairState:
    """An account at one address: its failures since its last success there (within
    ``KEEP_ATTEMPTS``), and until when its next attempt waits (None: it need not)."""

    failures: int
    last_failure: datetime | None
    delayed_until: datetime | None


def pair_state(
    session: Session,
    person_id: str | None,
    login: str,
    ip: str,
    now: datetime,
    leave_out: int | None = None,
) -> PairState:
    """The one answer to "is this account delayed at this address": the limiter asks it
    (leaving out the attempt being checked), and so does the attempts report."""
    pair = _account(person_id, login) & (LoginAttempt.ip == ip)
    last_success = session.scalar(
        select(func.max(LoginAttempt.id)).where(pair, LoginAttempt.succeeded.is_(True))
    )
    count, _, latest = session.execute(
        _failed_since(
            now - KEEP_ATTEMPTS,
            pair,
            LoginAttempt.id > (last_success or 0),
            LoginAttempt.id != (leave_out or 0),
        )
    ).one()
    until = latest + pair_delay(count) if latest is not None else None
    return PairState(count, latest, until if until is not None and until > now else None)


def _known_address(session: Session, attempt: LoginAttempt, now: datetime) -> bool:
    """The account signed in from this address within ``KNOWN_ADDRESS_FOR``."""
    return (
        session.scalar(
            select(LoginAttempt.id)
            .where(
                _account(attempt.person_id, attempt.login),
                LoginAttempt.ip == attempt.ip,
                LoginAttempt.succeeded.is_(True),
                LoginAttempt.at > now - KNOWN_ADDRESS_FOR,
            )
            .limit(1)
        )
        is not None
    )


def _failed_since(since: datetime, *where: Any) -> Select:
    """Count, first and last moment of the failures since ``since`` matching ``where``."""
    return select(func.count(), func.min(LoginAttempt.at), func.max(LoginAttempt.at)).where(
        LoginAttempt.succeeded.is_(False), LoginAttempt.at > since, *where
    )


def check_rate_limits(session: Session, attempt_id: int, now: datetime) -> None:
    """TooManyAttempts when the failures other than this attempt (recorded by
    ``begin_attempt`` and committed, in-flight ones included) reach a limit: the pair's
    delay always; the ceilings only at an address the account has not signed in from
    (the module's docstring says why)."""
    attempt = session.get(LoginAttempt, attempt_id)
    if attempt is None:  # pruned meanwhile: nothing to count against
        return
    state = pair_state(session, attempt.person_id, attempt.login, attempt.ip, now, attempt.id)
    if state.delayed_until is not None:
        raise TooManyAttempts(
            "该账号在此地址登录失败次数过多，请稍后再试",
            _seconds_until(state.delayed_until, now),
        )
    if _known_address(session, attempt, now):
        return
    account = _account(attempt.person_id, attempt.login)
    count, oldest, _ = session.execute(_failed_since(now - ACCOUNT_WINDOW, account)).one()
    if count > MAX_FAILURES_PER_ACCOUNT:  # this attempt is one of them
        raise TooManyAttempts(
            "该账号近一小时登录失败次数过多，请稍后再试",
            _seconds_until(oldest + ACCOUNT_WINDOW, now),
        )
    # Names of people and invented names are counted apart: a spray of invented names
    # stops invented names only, never a person signing in from the same (NAT) address.
    kind = (
        LoginAttempt.person_id.is_not(None)
        if attempt.person_id is not None
        else LoginAttempt.person_id.is_(None)
    )
    count, oldest, _ = session.execute(
        _failed_since(now - WINDOW, LoginAttempt.ip == attempt.ip, kind)
    ).one()
    if count > MAX_FAILURES_PER_IP:
        raise TooManyAttempts(
            "此地址登录失败次数过多，请稍后再试", _seconds_until(oldest + WINDOW, now)
        )


def forget_attempt(session: Session, attempt_id: int) -> None:
    """An attempt refused before its password was checked (429) does not count."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))


def attempt_succeeded(session: Session, attempt_id: int) -> None:
    """The password was right: the person's earlier failures there stop counting, and the
    address is known for the account (one success row per pair is kept, the latest)."""
    attempt = session.get(LoginAttempt, attempt_id)
    if attempt is None:
        return
    attempt.succeeded = True
    session.execute(
        delete(LoginAttempt).where(
            _account(attempt.person_id, attempt.login),
            LoginAttempt.ip == attempt.ip,
            LoginAttempt.succeeded.is_(True),
            LoginAttempt.id < attempt.id,
        )
    )


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
    if not check_password_hash(stored or _DUMMY_HASH, password) or not may_sign_in(person):
        raise Unauthorized("账号或密码错误")
    return person  # type: ignore[return-value]


def may_sign_in(person: Person | None) -> bool:
    """Whether the security office lets the person sign in at all, by password or by the
    campus's CAS: a password is set (``remove_sign_in`` takes it away)."""
    return person is not None and person.password_hash is not None


def token_for(secret: str, person: Person, ttl_seconds: int = TOKEN_TTL_SECONDS) -> SignedIn:
    roles = [r for r in (person.roles or []) if r in PERSON_ROLES]
    if not roles:
        raise Forbidden("该账号尚未分配角色，请联系安全保卫处")
    token = mint_token(
        secret,
        person.id,
        roles,
        unit=person.unit_code,
        name=person.name,
        ttl_seconds=ttl_seconds,
        # What activities enrol the person by; a changed number revokes the token.
        numbers=[n for n in (person.student_no, person.staff_no) if n],
    )
    return SignedIn(token, ttl_seconds, person)
