"""Request and response schemas of the reporting API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from marshmallow.utils import get_value

from services.reporting.assessment.schemas import AssessmentRulesSchema
from services.reporting.domain import DECISIONS, FlagStatus, Rule
from services.reporting.work.domain import PhaseParty, task_units
from shared.fields import AwareDateTime, Date
from shared.vocabulary import CATEGORIES

CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$", error="编码只能由字母、数字、_ 和 - 组成")


class PhaseSchema(Schema):
    id = fields.String(dump_only=True)
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    deadline = Date(required=True)
    party = fields.String(
        load_default=PhaseParty.UNITS.value,
        validate=validate.OneOf([p.value for p in PhaseParty]),
        metadata={
            "description": "whose work the phase is: units (each answering unit submits its "
            "own, a lead department confirms it) or lead_departments (督导检查: each lead "
            "department reports on every secondary college)"
        },
    )


class TaskSchema(Schema):
    id = fields.String(dump_only=True)
    number = fields.String(required=True, validate=validate.Length(min=1, max=8))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    lead_units = fields.List(fields.String(validate=CODE), load_default=list)
    responsible_units = fields.List(fields.String(validate=CODE), load_default=list)
    answering_units = fields.Function(
        lambda t: task_units(get_value(t, "lead_units"), get_value(t, "responsible_units")),
        dump_only=True,
        metadata={"description": "the units keeping phase work on the task (work.domain)"},
    )


class DueSchema(Schema):
    id = fields.String(dump_only=True)
    due_on = Date(required=True)
    period_start = Date(required=True)
    period_end = Date(required=True)

    @validates_schema
    def _period(self, data, **kwargs):
        if data["period_start"] > data["period_end"]:
            raise ValidationError("统计期的开始日期晚于结束日期", "period_start")


class CampaignUnitSchema(Schema):
    unit_code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(
        load_default="college", validate=validate.OneOf(["college", "office", "other"])
    )
    email = fields.Email(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),  # the column
    )


class CategorySchema(Schema):
    """A hazard category of the campaign and its lead departments (several: co-leads)."""

    code = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    label = fields.String(required=True, validate=validate.Length(min=1, max=100))
    task_number = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=8)
    )
    lead_units = fields.List(
        fields.String(validate=CODE),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "every lead department (牵头部门), first lead first"},
    )

    @validates_schema
    def _distinct_leads(self, data, **kwargs):
        if len(data["lead_units"]) != len(set(data["lead_units"])):
            raise ValidationError("牵头单位重复列出", "lead_units")


class CampaignCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    note = fields.String(load_default=None, load_only=True)
    starts_on = Date(required=True)
    ends_on = Date(required=True)
    phases = fields.List(fields.Nested(PhaseSchema), required=True, validate=validate.Length(min=1))
    tasks = fields.List(fields.Nested(TaskSchema), load_default=list)
    reporting_dues = fields.List(fields.Nested(DueSchema), required=True)
    units = fields.List(
        fields.Nested(CampaignUnitSchema), required=True, validate=validate.Length(min=1)
    )
    assessment = fields.Nested(
        lambda: AssessmentRulesSchema(),
        load_default=None,
        allow_none=True,
        metadata={"description": "年终考核 rules: base, deductions by rule, status factors"},
    )
    categories = fields.List(
        fields.Nested(CategorySchema),
        load_default=list,
        metadata={
            "description": "every hazard category with its lead departments; the hazard "
            "ledger follows the newest campaign's (none given: the previous leads stay)"
        },
    )

    @validates_schema
    def _categories(self, data, **kwargs):
        """All categories or none, each once, led by units of the campaign, under its tasks."""
        categories = data.get("categories") or []
        if not categories:
            return
        codes = [c["code"] for c in categories]
        if len(codes) != len(set(codes)):
            raise ValidationError("类别重复列出", "categories")
        missing = [code for code in CATEGORIES if code not in codes]
        if missing:
            raise ValidationError(f"以下类别没有牵头单位：{'、'.join(missing)}", "categories")
        units = {u["unit_code"] for u in data.get("units") or []}
        strangers = sorted({u for c in categories for u in c["lead_units"]} - units)
        if strangers:
            raise ValidationError(
                f"以下牵头单位不在专项整治的单位中：{'、'.join(strangers)}",
                "categories",
            )
        tasks = {t["number"] for t in data.get("tasks") or []}
        unknown = sorted({c["task_number"] for c in categories if c["task_number"]} - tasks)
        if tasks and unknown:
            raise ValidationError(f"没有这些任务：{'、'.join(unknown)}", "categories")

    @validates_schema
    def _dates(self, data, **kwargs):
        if data["starts_on"] > data["ends_on"]:
            raise ValidationError("开始日期晚于结束日期", "starts_on")
        codes = [u["unit_code"] for u in data["units"]]
        if len(codes) != len(set(codes)):
            raise ValidationError("单位重复列出", "units")


class CampaignSchema(Schema):
    id = fields.String()
    code = fields.String()
    name = fields.String()
    starts_on = Date()
    ends_on = Date()
    phases = fields.List(fields.Nested(PhaseSchema))
    tasks = fields.List(fields.Nested(TaskSchema))
    reporting_dues = fields.List(fields.Nested(DueSchema))
    units = fields.List(fields.Nested(CampaignUnitSchema))
    categories = fields.List(fields.Nested(CategorySchema))
    assessment = fields.Nested(lambda: AssessmentRulesSchema(), allow_none=True)


class SubmitSchema(Schema):
    unit_code = fields.String(required=True, validate=CODE)


class SubmissionSchema(Schema):
    id = fields.String()
    due_id = fields.String()
    unit_code = fields.String()
    submitted_at = AwareDateTime()
    submitted_by = fields.String()
    late = fields.Boolean()
    snapshot = fields.Dict()


class BoardRowSchema(Schema):
    unit_code = fields.String()
    unit_name = fields.String()
    submitted = fields.Boolean()
    submitted_at = AwareDateTime(allow_none=True)
    submitted_by = fields.String(allow_none=True)
    late = fields.Boolean(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "not submitted and the due date passed"})
    may_remind = fields.Boolean(metadata={"description": "the caller may send a 催报 now"})


class RemindSchema(Schema):
    unit_code = fields.String(required=True, validate=CODE)


class ReminderSchema(Schema):
    unit_code = fields.String()
    unit_name = fields.String()
    due_on = Date()
    reminded_at = AwareDateTime()
    email = fields.Boolean(metadata={"description": "an e-mail was queued (the unit has one)"})


class TableViewSchema(Schema):
    """The unit's table as it is printed (the .xlsx's cells), for a page to show."""

    unit_code = fields.String()
    unit_name = fields.String()
    submitted = fields.Boolean(metadata={"description": "frozen (submitted) or as it stands now"})
    submitted_at = AwareDateTime(allow_none=True)
    generated_at = AwareDateTime()
    title = fields.String()
    subtitle = fields.List(fields.String())
    header = fields.List(fields.String())
    rows = fields.List(fields.List(fields.Raw()))
    totals = fields.List(fields.Raw())


class BoardSchema(Schema):
    due_id = fields.String()
    due_on = Date()
    period_start = Date()
    period_end = Date()
    submitted = fields.Integer()
    missing = fields.Integer()
    units = fields.List(fields.Nested(BoardRowSchema))


class TableQuerySchema(Schema):
    unit_code = fields.String(required=True, validate=CODE)


class FlagQuerySchema(Schema):
    unit_code = fields.String(validate=CODE)
    rule = fields.String(validate=validate.OneOf([r.value for r in Rule]))
    status = fields.String(validate=validate.OneOf([s.value for s in FlagStatus]))
    campaign_id = fields.String(validate=validate.Length(min=1, max=36))
    raised_from = Date(metadata={"description": "raised on or after this campus day"})
    raised_to = Date(metadata={"description": "raised on or before this campus day"})


# Words, not blanks: "a decision with a reason" is not satisfied by spaces.
WORDS = validate.Regexp(r"\S", error="不能为空白")


class FlagDecisionSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf([d.value for d in DECISIONS]))
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), WORDS])


class FlagAnswerSchema(Schema):
    """The unit's 情况说明 or 申诉."""

    text = fields.String(required=True, validate=[validate.Length(min=1, max=4000), WORDS])


class FlagStepSchema(Schema):
    step = fields.String()
    step_label = fields.String()
    status = fields.String()
    actor = fields.String()
    actor_name = fields.String(allow_none=True)
    actor_unit = fields.String(allow_none=True)
    text = fields.String(allow_none=True)
    at = AwareDateTime()


class FlagFileSchema(Schema):
    id = fields.String()
    flag_id = fields.String()
    step = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = AwareDateTime()


class FlagSchema(Schema):
    id = fields.String()
    cause_key = fields.String()
    rule = fields.String()
    rule_label = fields.String()
    unit_code = fields.String()
    campaign_id = fields.String(allow_none=True)
    person_id = fields.String(allow_none=True)
    person_name = fields.String(allow_none=True)
    person_basis = fields.String(allow_none=True)
    person_basis_label = fields.String(allow_none=True)
    evidence = fields.Dict()
    status = fields.String()
    status_label = fields.String()
    raised_at = AwareDateTime()
    resolved_at = AwareDateTime(allow_none=True)
    days_late = fields.Integer(allow_none=True)
    superseded_by = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = AwareDateTime(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    explained_at = AwareDateTime(allow_none=True)
    appealed_at = AwareDateTime(allow_none=True)
    appeal_decided_at = AwareDateTime(allow_none=True)
    final_at = AwareDateTime(allow_none=True)
    final = fields.Boolean()
    my_actions = fields.List(
        fields.String(),
        metadata={"description": "review steps the caller may take now: explain, appeal, decide"},
    )
    history = fields.List(fields.Nested(FlagStepSchema))
    files = fields.List(fields.Nested(FlagFileSchema))
