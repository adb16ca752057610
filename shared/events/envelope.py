"""The envelope every event travels in: id, type, version, source, subject, sequence, time, data."""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from shared.events.fast_schema import canonical_uuid, compile_schema


class EnvelopeSchema(Schema):
    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Regexp(r"^[a-z_]+\.[a-z_]+$"))
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True)
    source = fields.String(required=True, validate=validate.Length(min=1, max=32))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=64))
    sequence = fields.Integer(required=True, validate=validate.Range(min=1))
    actor = fields.String(required=True, allow_none=True)
    correlation_id = fields.String(required=True, allow_none=True)
    data = fields.Dict(required=True)


_SCHEMA = EnvelopeSchema()
_VALID = compile_schema(_SCHEMA) or (lambda _raw: False)


@dataclass(frozen=True)
class Envelope:
    type: str
    version: int
    source: str
    subject: str
    sequence: int
    data: dict[str, Any]
    actor: str | None = None
    correlation_id: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_dict(self) -> dict[str, Any]:
        # Shallow on purpose (asdict deep-copies data): this runs for every event written.
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["occurred_at"] = self.occurred_at.isoformat()
        return out

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, body: bytes | str) -> Envelope:
        """Parse and validate the envelope (not its data: see catalog.validate_data)."""
        try:
            raw = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationError(f"body is not JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise ValidationError("body is not a JSON object")
        if _VALID(raw):  # the compiled schema (fast_schema): the same verdict, sooner
            event_id, occurred_at = raw.pop("id"), raw.pop("occurred_at")
            if not canonical_uuid(event_id):  # the one form the inbox knows it by
                event_id = str(uuid.UUID(event_id))
            return cls(**raw, id=event_id, occurred_at=datetime.fromisoformat(occurred_at))
        loaded = _SCHEMA.load(raw)
        loaded["id"] = str(loaded["id"])
        return cls(**loaded)
