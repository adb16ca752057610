"""The grid takes access away: it refuses the tokens itself (its own revocation tables,
in the transaction of the change) and announces it (``access.revoked``) so every other
service refuses them within seconds (their workers keep the same tables).

A person's tokens issued before now are revoked when a role is removed, the unit changes,
a 学号/工号 changes, the sign-in is taken away or the password changes
(services/grid/commands.py, services/grid/api/auth.py); a portal's or a kiosk's (any
subject's) by an operator with ``campus-safety revoke --sub`` (services/cli.py); one token
when its person signs out with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from shared import revocation
from shared.events import record_event
from shared.revocation_store import revoke_person, revoke_token
from shared.timeutil import utcnow

SOURCE = "grid"


def person_access(session: Session, person_id: str, reason: str) -> None:
    """Every token the person holds now stops working."""
    now = utcnow()
    revoke_person(session, person_id, now)
    _announce(session, person_id, reason, now, not_before=now)


def signed_out(session: Session, person_id: str, token_id: str, expires_at: datetime) -> None:
    """One token stops working (its person signed out with it)."""
    revoke_token(session, token_id, person_id, expires_at)
    _announce(session, person_id, revocation.SIGNED_OUT, utcnow(), token_id, expires_at)


def _announce(
    session: Session,
    person_id: str,
    reason: str,
    now: datetime,
    token_id: str | None = None,
    expires_at: datetime | None = None,
    not_before: datetime | None = None,
) -> None:
    record_event(
        session,
        event_type="access.revoked",
        source=SOURCE,
        subject=person_id,
        # Consumers keep the latest moment whatever the order; the sequence only informs.
        sequence=max(1, int(now.timestamp())),
        data={
            "person_id": person_id,
            "reason": reason,
            "not_before": not_before,
            "token_id": token_id,
            "expires_at": expires_at,
        },
    )
