"""Request and response schemas of joint inspections (协同联动)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.hazards.office.schemas import FindingSchema, PlaceNameSchema, names, places
from services.hazards.registers.schemas import ID, NOTE
from shared.fields import AwareDateTime, Date


class JointInspectionCreateSchema(Schema):
    inspected_on = Date(required=True)
    agencies = names(required=True)
    members = names(required=True)
    cell_ids = places(required=True)
    note = fields.String(load_default=None, validate=NOTE)


class JointInspectionUpdateSchema(Schema):
    inspected_on = Date()
    agencies = names()
    members = names()
    cell_ids = places()
    note = fields.String(allow_none=True, validate=NOTE)


class JointInspectionSummarySchema(Schema):
    id = fields.String()
    inspected_on = Date()
    agencies = fields.List(fields.String())
    members = fields.List(fields.String())
    cell_ids = fields.List(fields.String())
    note = fields.String(allow_none=True)
    created_by_name = fields.String(allow_none=True)
    version = fields.Integer()
    created_at = AwareDateTime()


class JointInspectionSchema(JointInspectionSummarySchema):
    places = fields.List(fields.Nested(PlaceNameSchema))
    findings = fields.List(fields.Nested(FindingSchema))


class JointInspectionQuerySchema(Schema):
    date_from = Date()
    date_to = Date()
    with_agency = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "part of the name of one of the agencies"},
    )
    cell_id = fields.String(validate=ID)
    hazard_id = fields.String(
        validate=ID, metadata={"description": "the inspection whose finding opened this hazard"}
    )
