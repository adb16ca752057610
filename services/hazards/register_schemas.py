"""Request and response schemas of the registers: risks, checklists and inspections,
special equipment."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.hazards import register_rules as rules
from services.hazards.domain import CATEGORIES, category_label
from shared.fields import AwareDateTime, Date

UNIT_CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$", error="must be a unit code (A-Z 0-9 _ -)")
ID = validate.Length(min=1, max=36)
NAME = validate.Length(min=1, max=100)
PERSON = validate.Length(min=1, max=50)
TEXT = validate.Length(min=1, max=4000)
NOTE = validate.Length(max=500)
CATEGORY = validate.OneOf(list(CATEGORIES))
LS = validate.Range(min=1, max=5, error="must be from 1 to 5")
LEVELS = [level.value for level in rules.RiskLevel]


def _value(obj, attr: str):
    """Views are model objects or dicts (when the API adds computed fields)."""
    return obj[attr] if isinstance(obj, dict) else getattr(obj, attr)


def _label(mapping: dict, enum: type, attr: str):
    """A Function field giving the Chinese label of an enum-valued attribute or key."""

    def get(obj):
        value = _value(obj, attr)
        return mapping.get(enum(value)) if value is not None else None

    return fields.Function(get)


def _category_label():
    return fields.Function(lambda obj: category_label(_value(obj, "category")))


# -- risks --------------------------------------------------------------------------------
class RiskCreateSchema(Schema):
    cell_id = fields.String(required=True, validate=ID, metadata={"description": "the place"})
    category = fields.String(required=True, validate=CATEGORY)
    name = fields.String(required=True, validate=NAME, metadata={"description": "风险点名称"})
    hazard_factors = fields.String(
        load_default=None, validate=TEXT, metadata={"description": "主要危险因素"}
    )
    likelihood = fields.Integer(
        required=True, strict=True, validate=LS, metadata={"description": "L 可能性 1-5"}
    )
    severity = fields.Integer(
        required=True, strict=True, validate=LS, metadata={"description": "S 后果严重性 1-5"}
    )
    control_measures = fields.String(required=True, validate=TEXT)
    emergency_measures = fields.String(load_default=None, validate=TEXT)
    owner_name = fields.String(required=True, validate=PERSON, metadata={"description": "责任人"})
    next_review_on = Date(required=True, metadata={"description": "下次评估日期"})


class RiskUpdateSchema(Schema):
    cell_id = fields.String(validate=ID)
    category = fields.String(validate=CATEGORY)
    name = fields.String(validate=NAME)
    hazard_factors = fields.String(allow_none=True, validate=TEXT)
    likelihood = fields.Integer(strict=True, validate=LS)
    severity = fields.Integer(strict=True, validate=LS)
    control_measures = fields.String(validate=TEXT)
    emergency_measures = fields.String(allow_none=True, validate=TEXT)
    owner_name = fields.String(validate=PERSON)
    next_review_on = Date()


class RiskSchema(Schema):
    id = fields.String()
    unit_code = fields.String()
    cell_id = fields.String()
    category = fields.String()
    category_label = _category_label()
    name = fields.String()
    hazard_factors = fields.String(allow_none=True)
    likelihood = fields.Integer()
    severity = fields.Integer()
    score = fields.Integer(metadata={"description": "R = L × S"})
    level = fields.String(metadata={"description": "red ≥20, orange 15-19, yellow 9-14, blue ≤8"})
    level_label = _label(rules.RISK_LEVEL_LABELS, rules.RiskLevel, "level")
    colour_label = _label(rules.RISK_COLOUR_LABELS, rules.RiskLevel, "level")
    control_measures = fields.String()
    emergency_measures = fields.String(allow_none=True)
    owner_name = fields.String()
    next_review_on = Date()
    created_by = fields.String()
    updated_by = fields.String()
    created_at = AwareDateTime()
    updated_at = AwareDateTime()
    version = fields.Integer()


class RiskQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    cell_id = fields.String(validate=ID)
    level = fields.String(validate=validate.OneOf(LEVELS))
    category = fields.String(validate=CATEGORY)
    review_due_by = Date(metadata={"description": "next review on or before this date"})


class AnnouncementQuerySchema(Schema):
    cell_id = fields.String(required=True, validate=ID)


class AnnouncementPointSchema(Schema):
    id = fields.String()
    cell_id = fields.String()
    cell_name = fields.String(allow_none=True)
    category = fields.String()
    category_label = _category_label()
    name = fields.String()
    hazard_factors = fields.String(allow_none=True)
    score = fields.Integer()
    level = fields.String()
    level_label = _label(rules.RISK_LEVEL_LABELS, rules.RiskLevel, "level")
    colour_label = _label(rules.RISK_COLOUR_LABELS, rules.RiskLevel, "level")
    control_measures = fields.String()
    emergency_measures = fields.String(allow_none=True)
    owner_name = fields.String()
    next_review_on = Date()


class LevelCountsSchema(Schema):
    red = fields.Integer()
    orange = fields.Integer()
    yellow = fields.Integer()
    blue = fields.Integer()


class AnnouncementSchema(Schema):
    cell_id = fields.String()
    cell_name = fields.String()
    unit_code = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    highest_level = fields.String(allow_none=True)
    highest_level_label = fields.String(allow_none=True)
    counts = fields.Nested(LevelCountsSchema)
    points = fields.List(fields.Nested(AnnouncementPointSchema), metadata={"description": "红→蓝"})


class SummaryQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)


class SummaryRowSchema(LevelCountsSchema):
    unit_code = fields.String()
    unit_name = fields.String(allow_none=True)
    total = fields.Integer()


# -- checklists ---------------------------------------------------------------------------
class ChecklistItemSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(rules.ITEM_CODE, error="must be 1-24 of A-Z, 0-9, _ or -"),
    )
    text = fields.String(required=True, validate=validate.Length(min=1, max=200))


def _unique_item_codes(items: list[dict] | None) -> None:
    if items is not None:
        repeated = rules.duplicate_codes([item["code"] for item in items])
        if repeated:
            raise ValidationError(f"item codes repeated: {', '.join(repeated)}", "items")


class ChecklistCreateSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,48}$", error="must be 1-48 of A-Z 0-9 _ -"),
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
    category_label = _category_label()
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
    result = fields.String(
        required=True, validate=validate.OneOf([r.value for r in rules.ItemResult])
    )
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
    result_label = _label(rules.ITEM_RESULT_LABELS, rules.ItemResult, "result")
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
    category_label = _category_label()
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


class CoverageQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    on = Date(metadata={"description": "campus date (default: today)"})
    week = fields.String(metadata={"description": "ISO week, e.g. 2021-W47"})

    @validates_schema
    def one_period(self, data, **kwargs):
        if "on" in data and "week" in data:
            raise ValidationError("give either on or week, not both", "week")
        if "week" in data:
            try:
                rules.week_period(data["week"])
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


# -- special equipment --------------------------------------------------------------------
KINDS = validate.OneOf([k.value for k in rules.EquipmentKind])
STATUSES = validate.OneOf([s.value for s in rules.EquipmentStatus])
REGISTRATION_NO = validate.Length(min=1, max=64)


class EquipmentCreateSchema(Schema):
    registration_no = fields.String(
        required=True, validate=REGISTRATION_NO, metadata={"description": "使用登记证编号"}
    )
    kind = fields.String(required=True, validate=KINDS)
    name = fields.String(required=True, validate=NAME)
    model = fields.String(load_default=None, validate=validate.Length(max=100))
    cell_id = fields.String(required=True, validate=ID)
    location = fields.String(load_default=None, validate=validate.Length(max=200))
    keeper_name = fields.String(required=True, validate=PERSON)
    last_inspected_on = Date(load_default=None)
    next_inspection_due = Date(required=True, metadata={"description": "下次定期检验日期"})
    status = fields.String(load_default=rules.EquipmentStatus.IN_USE.value, validate=STATUSES)

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        last, due = data.get("last_inspected_on"), data.get("next_inspection_due")
        if last is not None and due is not None and due <= last:
            raise ValidationError("must be after last_inspected_on", "next_inspection_due")


class EquipmentUpdateSchema(Schema):
    """Inspection dates are not here: they change by POST /equipment/{id}/inspections."""

    registration_no = fields.String(validate=REGISTRATION_NO)
    kind = fields.String(validate=KINDS)
    name = fields.String(validate=NAME)
    model = fields.String(allow_none=True, validate=validate.Length(max=100))
    cell_id = fields.String(validate=ID)
    location = fields.String(allow_none=True, validate=validate.Length(max=200))
    keeper_name = fields.String(validate=PERSON)
    status = fields.String(validate=STATUSES)


class EquipmentSchema(Schema):
    id = fields.String()
    registration_no = fields.String()
    kind = fields.String()
    kind_label = _label(rules.EQUIPMENT_KIND_LABELS, rules.EquipmentKind, "kind")
    name = fields.String()
    model = fields.String(allow_none=True)
    unit_code = fields.String()
    cell_id = fields.String()
    location = fields.String(allow_none=True)
    keeper_name = fields.String()
    last_inspected_on = Date(allow_none=True)
    next_inspection_due = Date(allow_none=True)
    due_state = fields.String(metadata={"description": "overdue / due_soon (30 days) / ok"})
    due_state_label = _label(rules.DUE_STATE_LABELS, rules.DueState, "due_state")
    status = fields.String()
    status_label = _label(rules.EQUIPMENT_STATUS_LABELS, rules.EquipmentStatus, "status")
    version = fields.Integer()
    created_at = AwareDateTime()
    updated_at = AwareDateTime()


class EquipmentQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    cell_id = fields.String(validate=ID)
    kind = fields.String(validate=KINDS)
    status = fields.String(validate=STATUSES)
    due = fields.String(
        validate=validate.OneOf([rules.DueState.OVERDUE.value, rules.DueState.DUE_SOON.value])
    )


class PeriodicInspectionCreateSchema(Schema):
    inspected_on = Date(required=True)
    result = fields.String(
        required=True, validate=validate.OneOf([r.value for r in rules.PeriodicResult])
    )
    next_due = Date(load_default=None, metadata={"description": "required unless fail"})
    agency = fields.String(load_default=None, validate=validate.Length(max=100))
    report_no = fields.String(load_default=None, validate=validate.Length(max=64))
    note = fields.String(load_default=None, validate=NOTE)


class PeriodicInspectionSchema(Schema):
    id = fields.String()
    equipment_id = fields.String()
    inspected_on = Date()
    result = fields.String()
    result_label = _label(rules.PERIODIC_RESULT_LABELS, rules.PeriodicResult, "result")
    next_due = Date(allow_none=True)
    agency = fields.String(allow_none=True)
    report_no = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = AwareDateTime()
