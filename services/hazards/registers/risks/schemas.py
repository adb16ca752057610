"""Request and response schemas of the risk register."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.hazards.registers.risks.domain import RISK_COLOUR_LABELS, RISK_LEVEL_LABELS, RiskLevel
from services.hazards.registers.schemas import (
    CATEGORY,
    ID,
    NAME,
    PERSON,
    TEXT,
    UNIT_CODE,
    category_label_field,
    label_field,
)
from shared.fields import AwareDateTime, Date

LS = validate.Range(min=1, max=5, error="须为 1 到 5")
LEVELS = [level.value for level in RiskLevel]


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
    category_label = category_label_field()
    name = fields.String()
    hazard_factors = fields.String(allow_none=True)
    likelihood = fields.Integer()
    severity = fields.Integer()
    score = fields.Integer(metadata={"description": "R = L × S"})
    level = fields.String(metadata={"description": "red ≥20, orange 15-19, yellow 9-14, blue ≤8"})
    level_label = label_field(RISK_LEVEL_LABELS, RiskLevel, "level")
    colour_label = label_field(RISK_COLOUR_LABELS, RiskLevel, "level")
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
    category_label = category_label_field()
    name = fields.String()
    hazard_factors = fields.String(allow_none=True)
    score = fields.Integer()
    level = fields.String()
    level_label = label_field(RISK_LEVEL_LABELS, RiskLevel, "level")
    colour_label = label_field(RISK_COLOUR_LABELS, RiskLevel, "level")
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
