"""Revoked access, kept in every service's own database (the db half of shared.revocation).

Two tables, written by the grid in the transaction that changes a person and by every
other service's worker when the grid's ``access.revoked`` event arrives:

- ``revoked_people``: per person, tokens issued before ``not_before`` are refused (a role
  removed, the person disabled, a password changed).
- ``revoked_tokens``: one token (its ``jti``, or the SHA-256 of a token minted without
  one) signed out, kept until the token would have expired anyway.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import EventTablesBase, UTCDateTime


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
