"""Request and response schemas of task ledgers, progress, supervision and assessment."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.reporting.domain import LEDGER_KINDS, SCORE_MAX, SCORE_MIN
from services.reporting.schemas import CODE, PhaseSchema
from shared.fields import AwareDateTime, Date

ID = validate.Length(min=1, max=36)


# -- task work ledgers --------------------------------------------------------------------
class LedgerEntryCreateSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(list(LEDGER_KINDS)),
        metadata={"description": "self_inspection 自查项目, action 整改措施, evidence 证明材料"},
    )
    content = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    url = fields.URL(
        load_default=None,
        allow_none=True,
        schemes={"http", "https"},
        validate=validate.Length(max=500),
        metadata={"description": "link to the evidence in the campus document system"},
    )
    reference = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "a document number or archive reference (文号/档案号)"},
    )
    phase_id = fields.String(load_default=None, allow_none=True, validate=ID)
    unit_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=CODE,
        metadata={"description": "the responsible unit the entry concerns; none: the whole task"},
    )


class LedgerFileSchema(Schema):
    id = fields.String()
    entry_id = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = AwareDateTime()


class LedgerEntrySchema(Schema):
    id = fields.String()
    campaign_id = fields.String()
    task_id = fields.String()
    phase_id = fields.String(allow_none=True)
    kind = fields.String()
    kind_label = fields.Function(lambda e: LEDGER_KINDS.get(e.kind, e.kind))
    unit_code = fields.String(allow_none=True)
    content = fields.String()
    url = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    author_unit = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = AwareDateTime()
    files = fields.List(
        fields.Nested(LedgerFileSchema),
        metadata={"description": "files of the evidence, oldest first (download each by id)"},
    )


class LedgerQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(list(LEDGER_KINDS)))
    phase_id = fields.String(validate=ID)
    unit_code = fields.String(validate=CODE)


class CompletionCreateSchema(Schema):
    phase_id = fields.String(required=True, validate=ID)
    unit_code = fields.String(required=True, validate=CODE)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CompletionSchema(Schema):
    id = fields.String()
    campaign_id = fields.String()
    task_id = fields.String()
    phase_id = fields.String()
    unit_code = fields.String()
    completed_at = AwareDateTime()
    completed_by = fields.String()
    late = fields.Boolean()
    note = fields.String(allow_none=True)


class CompletionQuerySchema(Schema):
    phase_id = fields.String(validate=ID)
    unit_code = fields.String(validate=CODE)


# -- progress matrix ----------------------------------------------------------------------
class ProgressCellSchema(Schema):
    unit_code = fields.String()
    unit_name = fields.String()
    completed = fields.Boolean()
    completed_at = AwareDateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    late = fields.Boolean(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "not completed and the deadline passed"})


class ProgressPhaseSchema(Schema):
    phase_id = fields.String()
    phase_code = fields.String()
    deadline = Date()
    deadline_passed = fields.Boolean()
    completed = fields.Integer()
    total = fields.Integer()
    units = fields.List(fields.Nested(ProgressCellSchema))


class ProgressTaskSchema(Schema):
    task_id = fields.String()
    number = fields.String()
    title = fields.String()
    lead_units = fields.List(fields.String())
    phases = fields.List(fields.Nested(ProgressPhaseSchema))


class ProgressSummarySchema(Schema):
    cells = fields.Integer()
    completed = fields.Integer()
    late = fields.Integer()
    overdue = fields.Integer()


class ProgressSchema(Schema):
    campaign_id = fields.String()
    campaign_name = fields.String()
    generated_at = AwareDateTime()
    phases = fields.List(fields.Nested(PhaseSchema))
    tasks = fields.List(fields.Nested(ProgressTaskSchema))
    summary = fields.Nested(ProgressSummarySchema)


# -- supervision reports ------------------------------------------------------------------
SCORE = validate.Range(min=SCORE_MIN, max=SCORE_MAX)


class SupervisionReplaceSchema(Schema):
    findings = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    score = fields.Integer(strict=True, required=True, validate=SCORE)


class SupervisionCreateSchema(SupervisionReplaceSchema):
    phase_id = fields.String(required=True, validate=ID)
    unit_code = fields.String(
        required=True, validate=CODE, metadata={"description": "the secondary college"}
    )


class SupervisionSchema(Schema):
    id = fields.String()
    campaign_id = fields.String()
    phase_id = fields.String()
    phase_name = fields.String()
    author_unit = fields.String()
    unit_code = fields.String()
    unit_name = fields.String()
    findings = fields.String()
    score = fields.Integer()
    version = fields.Integer()
    created_by = fields.String()
    created_at = AwareDateTime()
    updated_by = fields.String(allow_none=True)
    updated_at = AwareDateTime(allow_none=True)
    editable_until = Date(
        metadata={"description": "last campus day a PUT may replace it (phase deadline + 1 month)"}
    )


class SupervisionQuerySchema(Schema):
    phase_id = fields.String(validate=ID)
    unit_code = fields.String(validate=CODE)
    author_unit = fields.String(validate=CODE)


# -- year-end assessment ------------------------------------------------------------------
class FlagCountsSchema(Schema):
    open = fields.Integer()
    explained = fields.Integer()
    confirmed = fields.Integer()
    withdrawn = fields.Integer()


class AssessmentRowSchema(Schema):
    unit_code = fields.String()
    unit_name = fields.String()
    kind = fields.String(allow_none=True)
    supervision_average = fields.Float(allow_none=True)
    supervision_count = fields.Integer()
    flags = fields.Nested(FlagCountsSchema)
    deduction = fields.Float()
    score = fields.Float()


class AssessmentSchema(Schema):
    campaign_id = fields.String()
    campaign_name = fields.String()
    formula = fields.String()
    generated_at = AwareDateTime()
    units = fields.List(fields.Nested(AssessmentRowSchema))
