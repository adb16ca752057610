"""Request and response schemas of the hazard ledger API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.hazards.domain import (
    ALL_SUBCATEGORIES,
    CATEGORIES,
    LEAD_DEPARTMENTS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    Severity,
    Status,
    acceptance_flagged,
    allowed_actions,
    approved_plan_deadline,
    category_label,
    days_overdue,
    major_reason_in_force,
    subcategory_label,
)
from shared.fields import AwareDateTime, Date
from shared.timeutil import campus_today

UNIT_CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$", error="单位编码只能由字母、数字、_ 和 - 组成")
ID = validate.Length(min=1, max=36)
TEXT = validate.Length(min=1, max=4000)
SEVERITIES = [s.value for s in Severity]
SUBCATEGORY = validate.OneOf(ALL_SUBCATEGORIES)  # which category's: checked on create


class HazardCreateSchema(Schema):
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    # No load default: a request without it hashes as before (Idempotency-Key retries).
    subcategory = fields.String(
        validate=SUBCATEGORY,
        metadata={"description": "one of the category's sub-categories (422 otherwise)"},
    )
    description = fields.String(required=True, validate=TEXT)
    cell_id = fields.String(load_default=None, validate=ID)
    unit_code = fields.String(load_default=None, validate=UNIT_CODE)
    severity = fields.String(
        load_default=Severity.GENERAL.value, validate=validate.OneOf(SEVERITIES)
    )
    location = fields.String(load_default=None, validate=validate.Length(max=200))
    found_at = AwareDateTime(load_default=None)
    deadline = Date(load_default=None)


class CommentSchema(Schema):
    comment = fields.String(load_default=None, validate=validate.Length(max=2000))


class RegisterSchema(CommentSchema):
    severity = fields.String(load_default=None, validate=validate.OneOf(SEVERITIES))
    deadline = Date(load_default=None, metadata={"description": "整改期限 (campus date)"})


class RemediationSchema(CommentSchema):
    """四落实: responsible person, measures, time limit (deadline), contingency plan."""

    responsible_person = fields.String(load_default=None, validate=validate.Length(max=50))
    measures = fields.String(load_default=None, validate=TEXT)
    deadline = Date(load_default=None)
    contingency_plan = fields.String(load_default=None, validate=TEXT)
    quick_fix = fields.Boolean(load_default=True)
    rectification_plan = fields.String(load_default=None, validate=TEXT)
    interim_measures = fields.String(load_default=None, validate=TEXT)


class RectifySchema(CommentSchema):
    evidence = fields.String(load_default=None, validate=TEXT)


class RejectSchema(CommentSchema):
    reason = fields.String(load_default=None, validate=TEXT)


class SeverityChangeSchema(Schema):
    """No silent downgrade: the new grade and why (both required)."""

    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    reason = fields.String(required=True, validate=TEXT)


class ExtensionCreateSchema(Schema):
    new_deadline = Date(required=True)
    reason = fields.String(required=True, validate=TEXT)


class ExtensionDecisionSchema(Schema):
    approve = fields.Boolean(required=True)
    comment = fields.String(load_default=None, validate=validate.Length(max=2000))


def _campus_today():
    """Today on the campus by the hazards API's clock (its ``now`` seam)."""
    from services.hazards.api import hazards as endpoints  # the API imports these schemas
    from shared.api import state

    return campus_today(state().settings.campus_timezone, endpoints.now())


class ExtensionSchema(Schema):
    id = fields.String()
    hazard_id = fields.String()
    requested_by = fields.String()
    requested_by_name = fields.String(allow_none=True, metadata={"description": "申请人"})
    requested_deadline = Date()
    reason = fields.String()
    deadline_when_asked = Date(allow_none=True, metadata={"description": "整改期限 when asked"})
    asked_after_deadline = fields.Boolean(
        metadata={"description": "asked after the deadline had passed (the security office)"}
    )
    status = fields.String()
    created_at = AwareDateTime()
    decided_by = fields.String(allow_none=True)
    decided_by_name = fields.String(allow_none=True, metadata={"description": "审批人"})
    decided_at = AwareDateTime(allow_none=True)
    decision_comment = fields.String(allow_none=True)
    may_decide = fields.Boolean(
        metadata={"description": "whether the caller may approve or refuse it now (reads only)"}
    )


class TransitionSchema(Schema):
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor = fields.String()
    actor_name = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    at = AwareDateTime()


class AttachmentSchema(Schema):
    id = fields.String()
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = AwareDateTime()


class HazardSchema(Schema):
    id = fields.String()
    number = fields.String()
    unit_code = fields.String()
    cell_id = fields.String(allow_none=True)
    category = fields.String()
    category_label = fields.Function(lambda h: category_label(h.category))
    subcategory = fields.String(allow_none=True)
    subcategory_label = fields.Function(lambda h: subcategory_label(h.category, h.subcategory))
    lead_department = fields.String()
    lead_department_name = fields.Function(lambda h: LEAD_DEPARTMENTS.get(h.lead_department))
    lead_departments = fields.List(
        fields.String(),
        metadata={"description": "every lead department (co-leads); the first is lead_department"},
    )
    lead_department_names = fields.Function(
        lambda h: [LEAD_DEPARTMENTS.get(code, code) for code in h.lead_departments]
    )
    severity = fields.String()
    severity_label = fields.Function(lambda h: SEVERITY_LABELS[Severity(h.severity)])
    status = fields.String()
    status_label = fields.Function(lambda h: STATUS_LABELS[Status(h.status)])
    allowed_actions = fields.Function(lambda h: allowed_actions(Status(h.status)))
    my_actions = fields.List(
        fields.String(),
        metadata={"description": "the allowed actions the caller may take (one hazard only)"},
    )
    may_attach = fields.Boolean(
        metadata={"description": "whether the caller may add photos or documents (one hazard)"}
    )
    may_request_extension = fields.Boolean(
        metadata={"description": "whether the caller may ask for an extension now (one hazard)"}
    )
    extensions = fields.List(
        fields.Nested(ExtensionSchema),
        metadata={"description": "延期申请 of the hazard, oldest first (one hazard only)"},
    )
    place_name = fields.String(
        allow_none=True,
        metadata={"description": "the place (cell_id): the grid's names from the unit down"},
    )
    description = fields.String()
    location = fields.String(allow_none=True)
    found_by = fields.String()
    found_at = AwareDateTime()
    responsible_person_id = fields.String(allow_none=True)
    responsible_person_name = fields.String(allow_none=True)
    deadline = Date(allow_none=True)
    overdue_days = fields.Function(
        lambda h: days_overdue(Status(h.status), h.deadline, _campus_today()),
        metadata={"description": "days past the deadline while the unit owes the fix (逾期); 0"},
    )
    remediation_person = fields.String(allow_none=True)
    measures = fields.String(allow_none=True)
    contingency_plan = fields.String(allow_none=True)
    quick_fix = fields.Boolean()
    rectification_plan = fields.String(allow_none=True)
    interim_measures = fields.String(allow_none=True)
    evidence = fields.String(allow_none=True)
    reopen_count = fields.Integer()
    source = fields.String()
    source_ref = fields.String(allow_none=True)
    closed_at = AwareDateTime(allow_none=True)
    archived_at = AwareDateTime(allow_none=True)
    reporter_unit = fields.String(
        allow_none=True, metadata={"description": "the unit (department) that reported it"}
    )
    registered_at = AwareDateTime(allow_none=True, metadata={"description": "登记"})
    plan_deadline = Date(
        allow_none=True,
        metadata={
            "description": "the rectification plan's deadline (整改计划); the hazard is judged "
            "by it once the plan is approved (plan_approved_at)"
        },
    )
    plan_approved_at = AwareDateTime(
        allow_none=True,
        metadata={"description": "when a judge approved the plan; null while it awaits approval"},
    )
    rectified_at = AwareDateTime(allow_none=True, metadata={"description": "the last 整改完成"})
    acceptance_due = Date(
        allow_none=True, metadata={"description": "while awaiting acceptance: the acceptor's"}
    )
    acceptor_unit = fields.String(
        allow_none=True,
        metadata={"description": "who accepts (验收): a lead department, or the security office"},
    )
    acceptance_overdue = fields.Function(
        lambda h: acceptance_flagged(h.status, h.reopen_count, h.acceptance_notified_round),
        metadata={"description": "announced late for acceptance (验收逾期), still awaiting it"},
    )
    major_unresolved_reason = fields.Function(
        lambda h: major_reason_in_force(
            h.severity,
            h.status,
            approved_plan_deadline(h.plan_deadline, h.plan_approved_at),
            bool(h.major_no_plan_notified),
            h.plan_overdue_notified_for,
        ),
        metadata={"description": "no_plan or plan_overdue: announced 悬而不决, still so"},
    )
    version = fields.Integer()


class HazardQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    cell_id = fields.String(validate=ID)
    category = fields.String(validate=validate.OneOf(list(CATEGORIES)))
    subcategory = fields.String(validate=SUBCATEGORY)
    status = fields.String(validate=validate.OneOf([s.value for s in Status]))
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    overdue = fields.Boolean(
        metadata={"description": "past its deadline and not yet rectified by its unit"}
    )
    open = fields.Boolean(metadata={"description": "not yet closed (销号) or archived"})
    found_from = Date()
    found_to = Date()
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "text"})


class HazardListQuerySchema(HazardQuerySchema):
    """The list's filters and where to read from (the exports take the filters only)."""

    cursor = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "a page's next_cursor or prev_cursor (X-Pagination): the page "
            "after or before it, with the same filters; instead of page numbers"
        },
    )
