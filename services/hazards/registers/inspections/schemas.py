"""Request and response schemas of checklists, inspections and their coverage."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.hazards.registers.inspections.domain import (
    ITEM_CODE,
    ITEM_RESULT_LABELS,
    ItemResult,
    duplicate_codes,
    week_period,
)
from services.hazards.registers.schemas import (
    CATEGORY,
    ID,
    NAME,
    NOTE,
    UNIT_CODE,
    category_label_field,
    label_field,
)
from shared.fields import AwareDateTime, Date


# -- checklists ---------------------------------------------------------------------------
class ChecklistItemSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(ITEM_CODE, error="须为 1 到 24 位字母、数字、_ 或 -"),
    )
    text = fields.String(required=True, validate=validate.Length(min=1, max=200))


def _unique_item_codes(items: list[dict] | None) -> None:
    if items is not None:
        repeated = duplicate_codes([item["code"] for item in items])
        if repeated:
            raise ValidationError(f"项目编码重复：{'、'.join(repeated)}", "items")


class ChecklistCreateSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Za-z0-9_-]{1,48}$", error="须为 1 到 48 位字母、数字、_ 或 -"
        ),
    )
    category = fields.String(required=True, validate=CATEGORY)
    name = fields.String(required=True, validate=NAME)
    items = fields.List(
        fields.Nested(ChecklistItemSchema), required=True, validate=validate.Length(min=1, max=100)
    )
    active = fields.Boolean(load_default=True)

    @validates_schema
    def unique_codes(self, data, **kwargs):
        _unique_item_codes(data.get("items"))


class ChecklistUpdateSchema(Schema):
    name = fields.String(validate=NAME)
    items = fields.List(
        fields.Nested(ChecklistItemSchema), validate=validate.Length(min=1, max=100)
    )
    active = fields.Boolean(metadata={"description": "false retires the checklist"})

    @validates_schema
    def unique_codes(self, data, **kwargs):
        _unique_item_codes(data.get("items"))


class ChecklistSchema(Schema):
    id = fields.String()
    code = fields.String()
    category = fields.String()
    category_label = category_label_field()
    name = fields.String()
    items = fields.List(fields.Nested(ChecklistItemSchema))
    active = fields.Boolean()
    version = fields.Integer()
    updated_at = AwareDateTime()


class ChecklistQuerySchema(Schema):
    category = fields.String(validate=CATEGORY)
    active = fields.Boolean()


# -- inspections --------------------------------------------------------------------------
class ItemResultSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=24))
    result = fields.String(required=True, validate=validate.OneOf([r.value for r in ItemResult]))
    note = fields.String(load_default=None, validate=NOTE)


class InspectionCreateSchema(Schema):
    id = fields.UUID(
        load_default=None,
        metadata={"description": "client-chosen id: a retry with the same id records nothing new"},
    )
    template_id = fields.String(required=True, validate=ID)
    cell_id = fields.String(required=True, validate=ID)
    performed_at = AwareDateTime(load_default=None)
    note = fields.String(load_default=None, validate=NOTE)
    results = fields.List(
        fields.Nested(ItemResultSchema), required=True, validate=validate.Length(min=1, max=100)
    )


class InspectionItemSchema(Schema):
    position = fields.Integer()
    code = fields.String()
    text = fields.String()
    result = fields.String()
    result_label = label_field(ITEM_RESULT_LABELS, ItemResult, "result")
    note = fields.String(allow_none=True)
    hazard_id = fields.String(allow_none=True)
    hazard_number = fields.String(allow_none=True)


class InspectionSummarySchema(Schema):
    id = fields.String()
    template_id = fields.String()
    template_code = fields.String()
    template_name = fields.String()
    template_version = fields.Integer()
    category = fields.String()
    category_label = category_label_field()
    unit_code = fields.String()
    cell_id = fields.String()
    inspector = fields.String()
    inspector_name = fields.String(allow_none=True)
    performed_at = AwareDateTime()
    inspected_on = Date(metadata={"description": "campus date"})
    note = fields.String(allow_none=True)
    passed = fields.Integer()
    failed = fields.Integer()
    not_applicable = fields.Integer()


class InspectionSchema(InspectionSummarySchema):
    items = fields.List(fields.Nested(InspectionItemSchema))
    hazard_numbers = fields.List(
        fields.String(), metadata={"description": "hazards opened by failed items"}
    )


class InspectionQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    cell_id = fields.String(validate=ID)
    category = fields.String(validate=CATEGORY)
    template_id = fields.String(validate=ID)
    inspector = fields.String(validate=validate.Length(min=1, max=64))
    on = Date()
    date_from = Date()
    date_to = Date()
    has_failures = fields.Boolean()


# -- coverage -----------------------------------------------------------------------------
class CoverageQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    on = Date(metadata={"description": "campus date (default: today)"})
    week = fields.String(metadata={"description": "ISO week, e.g. 2021-W47"})

    @validates_schema
    def one_period(self, data, **kwargs):
        if "on" in data and "week" in data:
            raise ValidationError("日期（on）和周（week）只能填一个", "week")
        if "week" in data:
            try:
                week_period(data["week"])
            except ValueError as exc:
                raise ValidationError(str(exc), "week") from exc


class PlaceSchema(Schema):
    cell_id = fields.String(attribute="cell.cell_id")
    code = fields.String(attribute="cell.code")
    name = fields.String(attribute="cell.name")
    unit_code = fields.String(attribute="cell.unit_code")
    location = fields.String(attribute="cell.location", allow_none=True)
    last_inspected_on = Date(allow_none=True)


class CoverageSchema(Schema):
    unit_code = fields.String(allow_none=True)
    period = fields.String()
    start = Date()
    end = Date()
    places_total = fields.Integer()
    inspected_count = fields.Integer()
    uninspected = fields.List(fields.Nested(PlaceSchema))
