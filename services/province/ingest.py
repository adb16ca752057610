"""Applying one province message: the sender checked, the body validated against the
province catalogue, the inbox and the newest sequence per college and aggregate kept —
all in the caller's transaction. Anything refused raises ``Refused`` and changes nothing."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError
from sqlalchemy import JSON, select
from sqlalchemy.orm import Session

from services.province.domain import Refused, check_sender, newer
from services.province.models import (
    College,
    CollegeBoard,
    CollegeFigures,
    CollegeIncidents,
    CollegeTable,
    MajorHazard,
)
from shared.events.envelope import Envelope
from shared.events.inbox import InboxMessage
from shared.events.province import load_data, validate_data

_MODELS: dict[str, tuple[type, tuple[str, ...]]] = {
    "province.table_submitted": (CollegeTable, ("campus_id", "campaign", "due_on")),
    "province.figures": (CollegeFigures, ("campus_id", "campaign", "period_end")),
    "province.board": (CollegeBoard, ("campus_id", "campaign")),
    "province.major_hazard": (MajorHazard, ("campus_id", "subject")),
    "province.incidents": (CollegeIncidents, ("campus_id",)),
}


def known_colleges(session: Session) -> set[str]:
    return set(session.scalars(select(College.campus_id)))


def ingest(
    session: Session, user_id: str | None, body: bytes, colleges: set[str] | None = None
) -> bool:
    """Apply the message; False for a duplicate (already in the inbox) or a stale one.
    ``colleges``: the known campus ids, if the caller read them already (a batch)."""
    try:
        envelope = Envelope.from_json(body)
        data = validate_data(envelope.type, envelope.version, envelope.data)
    except ValidationError as exc:
        raise Refused(f"not a province message: {exc.messages}") from exc
    if colleges is None:
        colleges = known_colleges(session)
    check_sender(user_id, data["campus_id"], colleges)
    if session.get(InboxMessage, envelope.id) is not None:
        return False
    session.add(InboxMessage(event_id=envelope.id, event_type=envelope.type, source=user_id))
    return _apply(session, envelope, load_data(envelope.type, envelope.version, data))


def _apply(session: Session, envelope: Envelope, values: dict[str, Any]) -> bool:
    model, key_names = _MODELS[envelope.type]
    values = {**values, "subject": envelope.subject}
    key = tuple(values[name] for name in key_names)
    row = session.get(model, key, with_for_update=True)
    if row is not None and not newer(envelope.sequence, row.last_sequence):
        return False
    # Scalar columns take Python values (dates); JSON ones the data as it came.
    columns = {c.name: isinstance(c.type, JSON) for c in model.__table__.c}
    fields = {k: envelope.data[k] if columns[k] else v for k, v in values.items() if k in columns}
    if row is None:
        session.add(model(**fields, last_sequence=envelope.sequence))
    else:
        for name, value in fields.items():
            setattr(row, name, value)
        row.last_sequence = envelope.sequence
    return True
