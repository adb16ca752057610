"""Sign-in for the province's own staff (省教育厅): the province installation keeps its people
(``province_people``), hashes their passwords as a college's grid does (werkzeug scrypt;
strength rule ``shared.passwords``) and mints the same kind of token every service accepts
(``shared.auth.mint_token``) with the role ``province_office`` — the only role its API
answers. A college's people cannot sign in here, and a college's token is refused by the
province's API (403).

Rate limits, simpler than the grid's (a province office has a handful of people): each
attempt is recorded as a failure and committed before the password is checked, so
concurrent guesses count each other. An account at one address gets ``MAX_FAILURES``
failures per ``WINDOW``; one address ``MAX_FAILURES_PER_IP`` whatever it names. Past
either the answer is 429 with Retry-After and the password is not checked. A success
clears the pair's failures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from services.province.models import ProvinceLoginAttempt, ProvincePerson
from shared.auth import mint_token
from shared.errors import Unauthorized
from shared.passwords import (  # noqa: F401  (re-exported: the auth API names it here)
    TooManyAttempts,
    check_password_strength,
)
from shared.principal import PROVINCE_OFFICE
from shared.revocation_store import revoke_person
from shared.timeutil import utcnow

TOKEN_TTL_SECONDS = 8 * 3600  # a working day, as a college's sign-in
WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5  # per account and address per WINDOW
MAX_FAILURES_PER_IP = 50  # per address per WINDOW, every account together
WRONG = "账号或密码错误"
# Verified when the account does not exist, so both answers take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    expires_in: int
    person: ProvincePerson


def save_person(session: Session, login: str, name: str | None, password: str) -> ProvincePerson:
    """Add a member of the province's staff, or give one a new password (and name); tokens
    signed in with an earlier password stop working here."""
    check_password_strength(password)
    person = session.get(ProvincePerson, login)
    if person is None:
        person = ProvincePerson(id=login, name=name or login, roles=[PROVINCE_OFFICE])
        session.add(person)
    elif person.password_hash is not None:
        revoke_person(session, person.id, utcnow())
    if name:
        person.name = name
    person.password_hash = generate_password_hash(password)  # scrypt
    person.password_changed_at = utcnow()
    return person


def verify(session: Session, login: str, password: str) -> ProvincePerson:
    """The person whose password this is, or 401 (the same answer for unknown accounts)."""
    person = session.get(ProvincePerson, login.strip())
    stored = person.password_hash if person is not None else None
    if not check_password_hash(stored or _DUMMY_HASH, password) or person is None:
        raise Unauthorized(WRONG)
    return person


def token_for(secret: str, person: ProvincePerson) -> SignedIn:
    token = mint_token(
        secret, person.id, [PROVINCE_OFFICE], name=person.name, ttl_seconds=TOKEN_TTL_SECONDS
    )
    return SignedIn(token, TOKEN_TTL_SECONDS, person)


def begin_attempt(session: Session, login: str, ip: str, now: datetime) -> int:
    """Record the attempt as a failure (the caller commits it before ``check_rate_limits``);
    failures older than a day are dropped."""
    session.execute(
        delete(ProvinceLoginAttempt).where(ProvinceLoginAttempt.at < now - timedelta(days=1))
    )
    attempt = ProvinceLoginAttempt(login=login.strip()[:64], ip=ip[:45], succeeded=False, at=now)
    session.add(attempt)
    session.flush()
    return attempt.id


def check_rate_limits(session: Session, attempt_id: int, now: datetime) -> None:
    """TooManyAttempts when the failures before this one reach a limit."""
    attempt = session.get(ProvinceLoginAttempt, attempt_id)
    if attempt is None:
        return
    failed = (
        ProvinceLoginAttempt.succeeded.is_(False),
        ProvinceLoginAttempt.at > now - WINDOW,
        ProvinceLoginAttempt.id != attempt.id,
        ProvinceLoginAttempt.ip == attempt.ip,
    )
    limits = (
        (ProvinceLoginAttempt.login == attempt.login, MAX_FAILURES, "该账号在此地址"),
        (ProvinceLoginAttempt.id.is_not(None), MAX_FAILURES_PER_IP, "此地址"),
    )
    for where, limit, who in limits:
        count, oldest = session.execute(
            select(func.count(), func.min(ProvinceLoginAttempt.at)).where(*failed, where)
        ).one()
        if count >= limit:
            wait = max(1, math.ceil((oldest + WINDOW - now).total_seconds()))
            raise TooManyAttempts(f"{who}登录失败次数过多，请稍后再试", wait)


def forget_attempt(session: Session, attempt_id: int) -> None:
    """An attempt refused before its password was checked (429) does not count."""
    session.execute(delete(ProvinceLoginAttempt).where(ProvinceLoginAttempt.id == attempt_id))


def attempt_succeeded(session: Session, attempt_id: int) -> None:
    """The password was right: the pair's earlier failures stop counting."""
    attempt = session.get(ProvinceLoginAttempt, attempt_id)
    if attempt is None:
        return
    session.execute(
        delete(ProvinceLoginAttempt).where(
            ProvinceLoginAttempt.login == attempt.login,
            ProvinceLoginAttempt.ip == attempt.ip,
            ProvinceLoginAttempt.id != attempt.id,
        )
    )
    attempt.succeeded = True
