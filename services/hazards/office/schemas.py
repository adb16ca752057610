"""What the office's registers' schemas share: a finding at a place (it opens a hazard
with the ledger's vocabulary) and its answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.hazards.registers.schemas import CATEGORY, ID, TEXT, category_label_field
from services.hazards.schemas import SEVERITIES, SUBCATEGORY
from shared.fields import AwareDateTime


def names(**kwargs) -> fields.List:
    """A list of names (agencies, members): 1 to 50 of up to 100 characters each."""
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=100)),
        validate=validate.Length(min=1, max=50),
        **kwargs,
    )


def places(**kwargs) -> fields.List:
    """Places of the grid, in order: 1 to 200 cell ids."""
    return fields.List(
        fields.String(validate=ID), validate=validate.Length(min=1, max=200), **kwargs
    )


class FindingCreateSchema(Schema):
    cell_id = fields.String(required=True, validate=ID)
    category = fields.String(required=True, validate=CATEGORY)
    subcategory = fields.String(load_default=None, validate=SUBCATEGORY)
    severity = fields.String(load_default="general", validate=validate.OneOf(SEVERITIES))
    description = fields.String(required=True, validate=TEXT)


class FindingSchema(Schema):
    id = fields.String()
    cell_id = fields.String()
    category = fields.String()
    category_label = category_label_field()
    description = fields.String()
    hazard_id = fields.String()
    hazard_number = fields.String()
    created_at = AwareDateTime()


class PlaceNameSchema(Schema):
    cell_id = fields.String()
    name = fields.String()
