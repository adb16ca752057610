"""Request and response schemas of responsibility letters."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.grid.letters.domain import FIRST_YEAR, LAST_YEAR
from services.grid.schemas import CODE
from shared.fields import AwareDateTime, Date

YEAR = validate.Range(min=FIRST_YEAR, max=LAST_YEAR)


class LetterCreateSchema(Schema):
    assignment_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    year = fields.Integer(required=True, strict=True, validate=YEAR)
    signed_on = Date(required=True)


class LetterSchema(Schema):
    id = fields.String()
    assignment_id = fields.String()
    year = fields.Integer()
    signed_on = Date()
    recorded_by = fields.String()
    has_scan = fields.Boolean()
    filename = fields.String(allow_none=True)
    size = fields.Integer(allow_none=True)
    content_type = fields.String(allow_none=True)
    uploaded_at = AwareDateTime(allow_none=True)


class PostLetterSchema(Schema):
    """A post held in the year and its letter (None: not signed)."""

    assignment_id = fields.String()
    year = fields.Integer()
    cell_id = fields.String()
    cell_code = fields.String()
    cell_name = fields.String()
    unit_code = fields.String()
    person_id = fields.String()
    person_name = fields.String()
    role = fields.String()
    role_label = fields.String()
    effective_from = Date()
    effective_to = Date(allow_none=True)
    signed = fields.Boolean()
    letter = fields.Nested(LetterSchema, allow_none=True)


class LetterQuerySchema(Schema):
    year = fields.Integer(required=True, validate=YEAR)
    unit_code = fields.String(validate=CODE)
    signed = fields.Boolean(metadata={"description": "false: the posts not signed yet"})
