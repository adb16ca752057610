"""Revoked access: the rule that refuses a token after its person lost access (pure).

A token is refused when its own id was signed out, or when it was issued before the
moment its person lost access (a role removed, the unit changed, sign-in taken away, the
password changed). The grid decides and announces these (event ``access.revoked``);
every service keeps them in its own database (``shared.revocation_store``) and asks
``is_refused`` on every request (``shared.auth``).
"""

from __future__ import annotations

import hashlib

# Why the grid revoked access (the event's ``reason``).
SIGNED_OUT = "signed_out"
ROLES_CHANGED = "roles_changed"
UNIT_CHANGED = "unit_changed"
SIGN_IN_REMOVED = "sign_in_removed"
PASSWORD_CHANGED = "password_changed"
NUMBER_CHANGED = "number_changed"  # tokens carry the 学号/工号 check-in trusts
REVOKED_BY_OPERATOR = "revoked_by_operator"  # `campus-safety revoke`: a portal or kiosk token
REASONS = (
    SIGNED_OUT,
    ROLES_CHANGED,
    UNIT_CHANGED,
    SIGN_IN_REMOVED,
    PASSWORD_CHANGED,
    NUMBER_CHANGED,
    REVOKED_BY_OPERATOR,
)


def token_id(jti: object, token: str) -> str:
    """The id a revocation names a token by: its ``jti``, or for a token minted before
    tokens carried one, the SHA-256 of the token itself."""
    if isinstance(jti, str) and 0 < len(jti) <= 64:
        return jti
    return hashlib.sha256(token.encode()).hexdigest()


def is_refused(issued_at: float, not_before: float | None, signed_out: bool) -> bool:
    """Whether a token is refused: it was signed out itself, or it was issued (``iat``,
    epoch seconds) before the moment its person lost access (``not_before``). A token
    without ``iat`` counts as issued at 0: any revocation of its person covers it."""
    return signed_out or (not_before is not None and issued_at < not_before)
