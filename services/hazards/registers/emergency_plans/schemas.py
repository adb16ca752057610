"""Request and response schemas of the emergency-plan register."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.hazards.registers.emergency_plans.domain import (
    LAPSE_LABELS,
    MAX_DRILL_PERIOD_DAYS,
    PLAN_STATUS_LABELS,
    SCENARIO_LABELS,
    Lapse,
    PlanStatus,
    Scenario,
)
from services.hazards.registers.schemas import NOTE, PERSON, UNIT_CODE, label_field
from shared.fields import AwareDateTime, Date

SCENARIOS = validate.OneOf([s.value for s in Scenario])
STATUSES = validate.OneOf([s.value for s in PlanStatus])
TITLE = validate.Length(min=1, max=200)
EDITION = validate.Length(min=1, max=32)
PERIOD = validate.Range(min=1, max=MAX_DRILL_PERIOD_DAYS)


class PlanCreateSchema(Schema):
    unit_code = fields.String(required=True, validate=UNIT_CODE)
    scenario = fields.String(required=True, validate=SCENARIOS)
    title = fields.String(required=True, validate=TITLE)
    edition = fields.String(required=True, validate=EDITION, metadata={"description": "版本号"})
    approved_by = fields.String(load_default=None, validate=PERSON)
    approved_on = Date(load_default=None)
    review_due = Date(required=True, metadata={"description": "下次修订（评审）日期"})
    drill_period_days = fields.Integer(
        required=True, validate=PERIOD, metadata={"description": "演练周期（天）"}
    )
    note = fields.String(load_default=None, validate=NOTE)


class PlanUpdateSchema(Schema):
    """The unit is not here: a plan stays its unit's (register a new one for another unit)."""

    scenario = fields.String(validate=SCENARIOS)
    title = fields.String(validate=TITLE)
    edition = fields.String(validate=EDITION)
    approved_by = fields.String(allow_none=True, validate=PERSON)
    approved_on = Date(allow_none=True)
    review_due = Date()
    drill_period_days = fields.Integer(validate=PERIOD)
    status = fields.String(validate=STATUSES)
    note = fields.String(allow_none=True, validate=NOTE)


class PlanSchema(Schema):
    id = fields.String()
    unit_code = fields.String()
    scenario = fields.String()
    scenario_label = label_field(SCENARIO_LABELS, Scenario, "scenario")
    title = fields.String()
    edition = fields.String()
    approved_by = fields.String(allow_none=True)
    approved_on = Date(allow_none=True)
    review_due = Date()
    drill_period_days = fields.Integer()
    last_drilled_on = Date(allow_none=True)
    last_drill_id = fields.String(allow_none=True)
    next_drill_due = Date()
    status = fields.String()
    status_label = label_field(PLAN_STATUS_LABELS, PlanStatus, "status")
    lapses = fields.List(fields.String(), metadata={"description": "drill / review"})
    lapse_labels = fields.Function(
        lambda plan: [LAPSE_LABELS[Lapse(value)] for value in plan["lapses"]]
    )
    note = fields.String(allow_none=True)
    version = fields.Integer()
    created_at = AwareDateTime()
    updated_at = AwareDateTime()


class PlanQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    scenario = fields.String(validate=SCENARIOS)
    status = fields.String(validate=STATUSES)
    lapse = fields.String(
        validate=validate.OneOf([lapse.value for lapse in Lapse]),
        metadata={"description": "drill: 超期未演练; review: 超期未修订"},
    )


class PlanDrillSchema(Schema):
    drill_id = fields.String()
    plan_id = fields.String()
    drilled_on = Date()
    participants = fields.Integer()
    recorded_at = AwareDateTime()


class PlanSummarySchema(Schema):
    plans = fields.Integer(metadata={"description": "现行有效的预案数"})
    undrilled = fields.Integer(metadata={"description": "超期未演练"})
    review_overdue = fields.Integer(metadata={"description": "超期未修订"})
    lapsed = fields.Integer(metadata={"description": "至少一项超期的预案数"})
