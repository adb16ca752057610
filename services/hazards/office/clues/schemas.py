"""Request and response schemas of the clue ledger's API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.hazards.office.clues.domain import (
    ACCESS_ACTIONS,
    AGENCIES,
    HANDED_OVER,
    HANDLINGS,
    KINDS,
    STATUSES,
    VERIFICATIONS,
)
from services.hazards.registers.schemas import ID, PERSON, TEXT, UNIT_CODE
from shared.fields import AwareDateTime, Date

KIND = validate.OneOf(list(KINDS))
ORIGIN = validate.Length(min=1, max=200)


def _label(mapping: dict[str, str], attr: str) -> fields.Function:
    def get(obj):
        value = obj[attr] if isinstance(obj, dict) else getattr(obj, attr)
        return mapping.get(value, value) if value is not None else None

    return fields.Function(get)


class ClueCreateSchema(Schema):
    kind = fields.String(required=True, validate=KIND)
    unit_code = fields.String(load_default=None, validate=UNIT_CODE)
    content = fields.String(required=True, validate=TEXT)
    origin = fields.String(load_default=None, validate=ORIGIN)
    received_on = Date(required=True)


class ClueUpdateSchema(Schema):
    kind = fields.String(validate=KIND)
    unit_code = fields.String(allow_none=True, validate=UNIT_CODE)
    content = fields.String(validate=TEXT)
    origin = fields.String(allow_none=True, validate=ORIGIN)
    received_on = Date()


class VerificationSchema(Schema):
    verification = fields.String(required=True, validate=validate.OneOf(list(VERIFICATIONS)))
    verified_on = Date(required=True)
    note = fields.String(load_default=None, validate=TEXT)


class HandlingSchema(Schema):
    handling = fields.String(required=True, validate=validate.OneOf(list(HANDLINGS)))
    handled_on = Date(required=True)
    receiving_agency = fields.String(load_default=None, validate=validate.OneOf(list(AGENCIES)))
    agency_name = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    receiving_officer = fields.String(load_default=None, validate=PERSON)
    note = fields.String(load_default=None, validate=TEXT)

    @validates_schema
    def agency_only_when_handed_over(self, data, **kwargs):
        if data.get("handling") != HANDED_OVER and data.get("receiving_agency"):
            raise ValidationError("本单位处置不填接收机关", "receiving_agency")


class FollowUpCreateSchema(Schema):
    happened_on = Date(required=True)
    note = fields.String(required=True, validate=TEXT)
    by_name = fields.String(load_default=None, validate=PERSON)


class CloseSchema(Schema):
    closed_on = Date(required=True)
    outcome = fields.String(required=True, validate=TEXT)


class ClueQuerySchema(Schema):
    kind = fields.String(validate=KIND)
    status = fields.String(validate=validate.OneOf(list(STATUSES)))
    unit_code = fields.String(validate=UNIT_CODE)
    receiving_agency = fields.String(validate=validate.OneOf(list(AGENCIES)))
    received_from = Date()
    received_to = Date()
    stale = fields.Boolean(metadata={"description": "no follow-up in the configured days"})


class FollowUpSchema(Schema):
    id = fields.String()
    happened_on = Date()
    note = fields.String()
    by_name = fields.String()


class ReceiptSchema(Schema):
    id = fields.String()
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    uploaded_at = AwareDateTime()


class ClueSummarySchema(Schema):
    """A clue in the office's list (no follow-ups)."""

    id = fields.String()
    kind = fields.String()
    kind_label = _label(KINDS, "kind")
    unit_code = fields.String(allow_none=True)
    content = fields.String()
    origin = fields.String(allow_none=True)
    received_on = Date()
    status = fields.String()
    status_label = _label(STATUSES, "status")
    verification = fields.String(allow_none=True)
    verification_label = _label(VERIFICATIONS, "verification")
    verified_on = Date(allow_none=True)
    handling = fields.String(allow_none=True)
    handled_on = Date(allow_none=True)
    receiving_agency = fields.String(allow_none=True)
    receiving_agency_label = _label(AGENCIES, "receiving_agency")
    agency_name = fields.String(allow_none=True)
    receiving_officer = fields.String(allow_none=True)
    closed_on = Date(allow_none=True)
    last_activity_on = Date()
    version = fields.Integer()


class ClueSchema(ClueSummarySchema):
    verification_note = fields.String(allow_none=True)
    handling_note = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    follow_ups = fields.List(fields.Nested(FollowUpSchema))
    receipts = fields.List(fields.Nested(ReceiptSchema))


class ClueCountsSchema(Schema):
    total = fields.Integer()
    open = fields.Integer(metadata={"description": "not closed (已办结)"})
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())


class AccessLogQuerySchema(Schema):
    clue_id = fields.String(validate=ID)


class AccessLogSchema(Schema):
    id = fields.Integer()
    clue_id = fields.String(allow_none=True)
    action = fields.String()
    action_label = fields.Function(lambda e: ACCESS_ACTIONS.get(e.action, e.action))
    actor = fields.String()
    actor_name = fields.String()
    request_id = fields.String(allow_none=True)
    at = AwareDateTime()
