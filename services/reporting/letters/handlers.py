"""Reporting's handler of the grid's ``letter.signed`` (registered in
services.reporting.handlers): the letter kept, newest sequence wins (idempotent)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from services.reporting.letters.models import LetterProjection
from shared.events import Envelope
from shared.projections import upsert_newer


def apply_letter(session: Session, event: Envelope) -> None:
    values = {**event.data, "signed_on": date.fromisoformat(event.data["signed_on"])}
    upsert_newer(session, LetterProjection, "letter_id", values, event.sequence)


HANDLERS = {"letter.signed": apply_letter}
