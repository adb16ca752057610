"""Request and response schemas of the hazard ledger API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.hazards.domain import CATEGORIES, Severity, Status

UNIT_CODE = validate.Regexp(
    r"^[A-Za-z0-9_-]{1,32}$", error="must be a unit code (A-Z, 0-9, _ or -)"
)


class HazardCreateSchema(Schema):
    unit_code = fields.String(required=True, validate=UNIT_CODE)
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    description = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    severity = fields.String(
        load_default=Severity.GENERAL.value, validate=validate.OneOf([s.value for s in Severity])
    )
    location = fields.String(load_default=None, validate=validate.Length(max=200))
    found_at = fields.AwareDateTime(load_default=None)
    deadline = fields.Date(load_default=None)


class HazardCloseSchema(Schema):
    comment = fields.String(load_default=None, validate=validate.Length(max=2000))


class HazardSchema(Schema):
    id = fields.String()
    number = fields.String()
    unit_code = fields.String()
    category = fields.String()
    category_label = fields.Function(lambda h: CATEGORIES.get(h.category, h.category))
    severity = fields.String()
    status = fields.String()
    description = fields.String()
    location = fields.String(allow_none=True)
    found_by = fields.String()
    found_at = fields.AwareDateTime()
    deadline = fields.Date(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    version = fields.Integer()


class HazardQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    status = fields.String(validate=validate.OneOf([s.value for s in Status]))
