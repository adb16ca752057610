"""Schemas of the year-end assessment: the campaign's rules (part of the campaign's data)
and the assessment view."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.reporting.domain import FlagStatus, Rule
from shared.fields import AwareDateTime


class AssessmentRulesSchema(Schema):
    """The campaign's assessment rules (``domain.Rules``): the plan gives no numbers, so they
    are the campaign's data, chosen by the leadership group."""

    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    base = fields.Float(required=True, validate=validate.Range(min=0, max=1000))
    deductions = fields.Dict(
        keys=fields.String(validate=validate.OneOf([r.value for r in Rule])),
        values=fields.Float(validate=validate.Range(min=0, max=100)),
        required=True,
        metadata={"description": "points per flag, by rule"},
    )
    status_factors = fields.Dict(
        keys=fields.String(validate=validate.OneOf([s.value for s in FlagStatus])),
        values=fields.Float(validate=validate.Range(min=0, max=10)),
        required=True,
        metadata={"description": "the share of a rule's points a flag in this status deducts"},
    )

    @validates_schema
    def _every_rule_and_status(self, data, **kwargs):
        """Every rule and every status weighed: a missing one would silently cost nothing
        (a campaign that forgot resolved_late would erase lateness)."""
        for name, keys in (
            ("deductions", [r.value for r in Rule]),
            ("status_factors", [s.value for s in FlagStatus]),
        ):
            missing = [k for k in keys if k not in data.get(name, {})]
            if missing:
                raise ValidationError(f"缺少：{'、'.join(missing)}", name)


class DeductionSchema(Schema):
    flag_id = fields.String()
    rule = fields.String()
    rule_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    summary = fields.String()
    points = fields.Float()


class PhaseReportSchema(Schema):
    report_id = fields.String()
    author_unit = fields.String()
    score = fields.Float()


class PhaseScoreSchema(Schema):
    phase_id = fields.String()
    phase_name = fields.String()
    average = fields.Float(allow_none=True)
    label = fields.String(metadata={"description": "the average, or 未督查"})
    reports = fields.List(fields.Nested(PhaseReportSchema))


class AssessmentRowSchema(Schema):
    unit_code = fields.String()
    unit_name = fields.String()
    kind = fields.String(allow_none=True)
    supervised = fields.Boolean()
    phases = fields.List(fields.Nested(PhaseScoreSchema))
    unsupervised_phases = fields.List(fields.String())
    starting_score = fields.Float(allow_none=True)
    deduction = fields.Float()
    deductions = fields.List(fields.Nested(DeductionSchema))
    score = fields.Float(allow_none=True, metadata={"description": "None: 未督查, not scored"})
    complete = fields.Boolean()


class AssessmentPhaseSchema(Schema):
    phase_id = fields.String()
    phase_name = fields.String()


class AssessmentSchema(Schema):
    campaign_id = fields.String()
    campaign_name = fields.String()
    rules = fields.Nested(AssessmentRulesSchema, allow_none=True)
    formula = fields.String()
    phases = fields.List(fields.Nested(AssessmentPhaseSchema))
    generated_at = AwareDateTime()
    units = fields.List(fields.Nested(AssessmentRowSchema))
