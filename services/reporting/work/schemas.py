"""Request and response schemas of task ledgers, phase work, progress and supervision."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from services.reporting.schemas import CODE, PhaseSchema
from services.reporting.work.domain import (
    LEDGER_KINDS,
    SCORE_MAX,
    SCORE_MIN,
    WORK_STATUS_LABELS,
    WorkStatus,
)
from shared.fields import AwareDateTime, Date

ID = validate.Length(min=1, max=36)


# -- task work ledgers --------------------------------------------------------------------
class LedgerEntryCreateSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(list(LEDGER_KINDS)),
        metadata={
            "description": "; ".join(f"{code} {label}" for code, label in LEDGER_KINDS.items())
        },
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
    phase_id = fields.String(
        load_default=None,
        allow_none=True,
        validate=ID,
        metadata={"description": "the phase; required when a unit writes its own phase work"},
    )
    unit_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=CODE,
        metadata={
            "description": "the responsible unit the entry concerns; none: the whole task "
            "(a unit's manager writes about its own unit only; it is the default)"
        },
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


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("不能为空白")


class WorkSubmitSchema(Schema):
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "the unit's note to the lead departments"},
    )


class WorkConfirmSchema(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class WorkReturnSchema(Schema):
    reason = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=2000), _not_blank],
        metadata={"description": "what the unit is to complete or correct (退回原因)"},
    )


def _status_label(status: str) -> str:
    return WORK_STATUS_LABELS[WorkStatus(status)]


class WorkStepSchema(Schema):
    position = fields.Integer()
    step = fields.String(metadata={"description": "submitted, confirmed or returned"})
    step_label = fields.Function(lambda s: _status_label(s.step))
    actor = fields.String()
    actor_unit = fields.String(allow_none=True)
    text = fields.String(allow_none=True, metadata={"description": "note or reason"})
    at = AwareDateTime()


class CompletionSchema(Schema):
    """A unit's work on a task in a phase."""

    id = fields.String()
    campaign_id = fields.String()
    task_id = fields.String()
    phase_id = fields.String()
    unit_code = fields.String()
    status = fields.String(metadata={"description": "submitted, confirmed or returned"})
    status_label = fields.Function(lambda c: _status_label(c.status))
    submitted_at = AwareDateTime(metadata={"description": "the latest submission"})
    submitted_by = fields.String()
    late = fields.Boolean(
        metadata={"description": "not submitted (or returned and not resubmitted) by the deadline"}
    )
    note = fields.String(allow_none=True)
    decided_at = AwareDateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_unit = fields.String(allow_none=True)
    return_reason = fields.String(allow_none=True)
    steps = fields.List(fields.Nested(WorkStepSchema), metadata={"description": "oldest first"})


class CompletionQuerySchema(Schema):
    phase_id = fields.String(validate=ID)
    unit_code = fields.String(validate=CODE)
    status = fields.String(
        validate=validate.OneOf([s.value for s in WorkStatus if s != WorkStatus.NOT_SUBMITTED])
    )


# -- progress matrix ----------------------------------------------------------------------
STATUSES = ", ".join(f"{s.value} {label}" for s, label in WORK_STATUS_LABELS.items())


class ProgressCellSchema(Schema):
    unit_code = fields.String()
    unit_name = fields.String()
    status = fields.String(metadata={"description": STATUSES})
    status_label = fields.String()
    submitted_at = AwareDateTime(allow_none=True)
    submitted_by = fields.String(allow_none=True)
    decided_at = AwareDateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    return_reason = fields.String(allow_none=True)
    late = fields.Boolean(allow_none=True)
    overdue = fields.Boolean(
        metadata={"description": "the deadline passed and the work is not submitted or confirmed"}
    )
    supervised = fields.Integer(
        allow_none=True,
        metadata={"description": "the lead departments' phase: colleges it reported on"},
    )
    colleges = fields.Integer(allow_none=True)


class ProgressPhaseSchema(Schema):
    phase_id = fields.String()
    phase_code = fields.String()
    party = fields.String(metadata={"description": "units or lead_departments"})
    deadline = Date()
    deadline_passed = fields.Boolean()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
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
    not_submitted = fields.Integer()
    submitted = fields.Integer()
    confirmed = fields.Integer()
    returned = fields.Integer()
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
