"""Revoked access, kept in every service's own database (the db half of shared.revocation).

Two tables, written by the grid in the transaction that changes a person and by every
other service's worker when the grid's ``access.revoked`` event arrives:

- ``revoked_people``: per person, tokens issued before ``not_before`` are refused (a role
  removed, the person disabled, a password changed).
- ``revoked_tokens``: one token (its ``jti``, or the SHA-256 of a token minted without
  one) signed out, kept until the token would have expired anyway.
"""

from __future__ import annotations

import threading
import time
import weakref
from datetime import UTC, datetime

from sqlalchemy import String, delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from shared.db import EventTablesBase, UTCDateTime
from shared.events.envelope import Envelope
from shared.revocation import is_refused
from shared.timeutil import utcnow

_FORGET_ON_COMMIT = "campus_forget_revocation_memos"


class RevokedPerson(EventTablesBase):
    __tablename__ = "revoked_people"

    person_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Tokens of this person issued (iat) before this moment are refused.
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())


class RevokedToken(EventTablesBase):
    __tablename__ = "revoked_tokens"

    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


# -- writing: the grid in the changing transaction, the others from the event -----------------
def revoke_person(session: Session, person_id: str, not_before: datetime) -> None:
    """Refuse the person's tokens issued before ``not_before`` (a later moment wins, so
    duplicated or reordered events change nothing)."""
    table = RevokedPerson.__table__
    stmt = _insert(session)(table).values(person_id=person_id, not_before=not_before)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.person_id],
            set_={"not_before": stmt.excluded.not_before},
            where=table.c.not_before < stmt.excluded.not_before,
        )
    )
    _forget_memos_on_commit(session)


def revoke_token(session: Session, token_id: str, person_id: str, expires_at: datetime) -> None:
    """Refuse one token until it expires; entries of expired tokens are pruned here."""
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))
    stmt = _insert(session)(RevokedToken.__table__).values(
        token_id=token_id, person_id=person_id, expires_at=expires_at
    )
    session.execute(stmt.on_conflict_do_nothing(index_elements=["token_id"]))
    _forget_memos_on_commit(session)


def _forget_memos_on_commit(session: Session) -> None:
    """This process's memos forget everything once the revocation commits: the web worker
    that revokes refuses the token from its very next request (others within a second)."""
    if not session.info.get(_FORGET_ON_COMMIT):
        session.info[_FORGET_ON_COMMIT] = True
        event.listen(session, "after_commit", _forget_memos, once=True)


def _forget_memos(session: Session) -> None:
    session.info.pop(_FORGET_ON_COMMIT, None)
    for check in list(_CHECKS):
        check.forget()


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def apply_revocation(session: Session, event: Envelope) -> None:
    """Handler of ``access.revoked`` in every service that consumes it."""
    data = event.data
    if data.get("not_before"):
        revoke_person(session, data["person_id"], _aware(data["not_before"]))
    if data.get("token_id") and data.get("expires_at"):
        revoke_token(session, data["token_id"], data["person_id"], _aware(data["expires_at"]))


def _aware(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


REVOCATION_HANDLERS = {"access.revoked": apply_revocation}
# The checks of this process (one per app), whose memos a local revocation clears.
_CHECKS: weakref.WeakSet[RevocationCheck] = weakref.WeakSet()


# -- reading: every request, through a short per-process memo ----------------------------------
class RevocationCheck:
    """``check(sub, token_id, issued_at)`` → whether the token is refused, read from the
    service's own tables. An answer is remembered per token for ``MEMO_SECONDS``: a
    portal sending the same token with every request costs one query a second, and a
    revocation takes effect within that long on every worker."""

    MEMO_SECONDS = 1.0
    MAX_MEMO = 10_000

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory
        self._memo: dict[tuple[str, str], tuple[float, float | None, bool]] = {}
        self._lock = threading.Lock()
        _CHECKS.add(self)

    def forget(self) -> None:
        with self._lock:
            self._memo = {}

    def __call__(self, sub: str, token_id: str, issued_at: float) -> bool:
        now = time.monotonic()
        key = (sub, token_id)
        remembered = self._memo.get(key)
        if remembered is None or remembered[0] <= now:
            not_before, signed_out = self._read(sub, token_id)
            remembered = (now + self.MEMO_SECONDS, not_before, signed_out)
            with self._lock:
                if len(self._memo) >= self.MAX_MEMO:
                    self._memo = {k: v for k, v in self._memo.items() if v[0] > now}
                self._memo[key] = remembered
        return is_refused(issued_at, remembered[1], remembered[2])

    def _read(self, sub: str, token_id: str) -> tuple[float | None, bool]:
        with self._sessions() as session:
            return read_revocations(session, sub, token_id)


def read_revocations(session: Session, sub: str, token_id: str) -> tuple[float | None, bool]:
    """The person's ``not_before`` (epoch seconds, None if never revoked) and whether the
    token itself was signed out."""
    not_before = session.scalar(
        select(RevokedPerson.not_before).where(RevokedPerson.person_id == sub)
    )
    signed_out = session.scalar(
        select(RevokedToken.token_id).where(RevokedToken.token_id == token_id)
    )
    return (not_before.timestamp() if not_before else None), signed_out is not None


def is_token_refused(session: Session, sub: str, token_id: str, issued_at: float) -> bool:
    """The revocation rule asked of the database now, without the per-process memo."""
    return is_refused(issued_at, *read_revocations(session, sub, token_id))
