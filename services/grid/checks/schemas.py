"""Request and response schemas of background checks."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.grid.checks.domain import KINDS, RESULTS
from services.grid.schemas import CODE
from shared.fields import AwareDateTime, Date

ID = validate.Length(min=1, max=36)
NOTE = validate.Length(min=1, max=2000)


class CheckCreateSchema(Schema):
    person_id = fields.String(required=True, validate=ID)
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)))
    checked_on = Date(required=True)
    result = fields.String(required=True, validate=validate.OneOf(list(RESULTS)))
    valid_until = Date(required=True)
    note = fields.String(load_default=None, validate=NOTE)


class CheckUpdateSchema(Schema):
    kind = fields.String(validate=validate.OneOf(list(KINDS)))
    checked_on = Date()
    result = fields.String(validate=validate.OneOf(list(RESULTS)))
    valid_until = Date()
    note = fields.String(allow_none=True, validate=NOTE)


class CheckSchema(Schema):
    id = fields.String()
    person_id = fields.String()
    person_name = fields.String()
    unit_code = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    checked_on = Date()
    result = fields.String()
    result_label = fields.String()
    valid_until = Date()
    note = fields.String(allow_none=True)
    version = fields.Integer()


class CheckQuerySchema(Schema):
    person_id = fields.String(validate=ID)
    unit_code = fields.String(validate=CODE)
    kind = fields.String(validate=validate.OneOf(list(KINDS)))
    result = fields.String(validate=validate.OneOf(list(RESULTS)))
    valid_on = Date(metadata={"description": "only checks valid on this campus date"})


class CheckLogQuerySchema(Schema):
    person_id = fields.String(validate=ID)


class CheckLogSchema(Schema):
    id = fields.Integer()
    check_id = fields.String(allow_none=True)
    person_id = fields.String(allow_none=True)
    action = fields.String()
    actor = fields.String()
    actor_name = fields.String()
    request_id = fields.String(allow_none=True)
    at = AwareDateTime()
