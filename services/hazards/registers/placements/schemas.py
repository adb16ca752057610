"""Request and response schemas of the placement register."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.hazards.registers.placements.domain import (
    DUE_STATE_LABELS,
    PLACEMENT_KIND_LABELS,
    PLACEMENT_STATUS_LABELS,
    DueState,
    PlacementKind,
    PlacementStatus,
)
from services.hazards.registers.schemas import ID, NAME, NOTE, PERSON, UNIT_CODE, label_field
from shared.fields import AwareDateTime, Date

KINDS = validate.OneOf([k.value for k in PlacementKind])
STATUSES = validate.OneOf([s.value for s in PlacementStatus])
COUNT = validate.Range(min=1, max=5000)
SHORT = validate.Length(max=100)


class PlacementCreateSchema(Schema):
    kind = fields.String(required=True, validate=KINDS)
    title = fields.String(required=True, validate=NAME)
    cell_id = fields.String(required=True, validate=ID, metadata={"description": "组织单位的地点"})
    host_name = fields.String(required=True, validate=NAME)
    host_address = fields.String(load_default=None, validate=validate.Length(max=200))
    host_contact = fields.String(load_default=None, validate=SHORT)
    leader_name = fields.String(required=True, validate=PERSON)
    starts_on = Date(required=True)
    ends_on = Date(required=True)
    student_count = fields.Integer(required=True, validate=COUNT)
    students = fields.List(
        fields.String(validate=validate.Length(min=1, max=50)),
        load_default=list,
        validate=validate.Length(max=500),
    )
    insurance_policy_no = fields.String(load_default=None, validate=validate.Length(max=64))
    insurer = fields.String(load_default=None, validate=SHORT)
    insurance_from = Date(load_default=None)
    insurance_to = Date(load_default=None)
    briefing_activity_id = fields.String(load_default=None, validate=ID)
    briefing_held_on = Date(load_default=None)
    note = fields.String(load_default=None, validate=NOTE)


class PlacementUpdateSchema(Schema):
    """The status moves by /start and /finish (and cancelled here, before a start)."""

    kind = fields.String(validate=KINDS)
    title = fields.String(validate=NAME)
    cell_id = fields.String(validate=ID)
    host_name = fields.String(validate=NAME)
    host_address = fields.String(allow_none=True, validate=validate.Length(max=200))
    host_contact = fields.String(allow_none=True, validate=SHORT)
    leader_name = fields.String(validate=PERSON)
    starts_on = Date()
    ends_on = Date()
    student_count = fields.Integer(validate=COUNT)
    students = fields.List(
        fields.String(validate=validate.Length(min=1, max=50)), validate=validate.Length(max=500)
    )
    insurance_policy_no = fields.String(allow_none=True, validate=validate.Length(max=64))
    insurer = fields.String(allow_none=True, validate=SHORT)
    insurance_from = Date(allow_none=True)
    insurance_to = Date(allow_none=True)
    briefing_activity_id = fields.String(allow_none=True, validate=ID)
    briefing_held_on = Date(allow_none=True)
    note = fields.String(allow_none=True, validate=NOTE)
    cancelled = fields.Boolean(metadata={"description": "true: 取消（仅待出发的）"})


class AgreementSchema(Schema):
    id = fields.String()
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    uploaded_by = fields.String()
    uploaded_at = AwareDateTime()


class PlacementSchema(Schema):
    id = fields.String()
    kind = fields.String()
    kind_label = label_field(PLACEMENT_KIND_LABELS, PlacementKind, "kind")
    title = fields.String()
    unit_code = fields.String()
    cell_id = fields.String()
    host_name = fields.String()
    host_address = fields.String(allow_none=True)
    host_contact = fields.String(allow_none=True)
    leader_name = fields.String()
    starts_on = Date()
    ends_on = Date()
    student_count = fields.Integer()
    students = fields.List(fields.String())
    insurance_policy_no = fields.String(allow_none=True)
    insurer = fields.String(allow_none=True)
    insurance_from = Date(allow_none=True)
    insurance_to = Date(allow_none=True)
    briefing_activity_id = fields.String(allow_none=True)
    briefing_held_on = Date(allow_none=True)
    agreements = fields.List(fields.Nested(AgreementSchema))
    missing = fields.List(fields.String(), metadata={"description": "agreement/insurance/briefing"})
    missing_labels = fields.List(fields.String())
    due_state = fields.String(metadata={"description": "blocked / due_soon / ready / none"})
    due_state_label = label_field(DUE_STATE_LABELS, DueState, "due_state")
    status = fields.String()
    status_label = label_field(PLACEMENT_STATUS_LABELS, PlacementStatus, "status")
    started_on = Date(allow_none=True)
    finished_on = Date(allow_none=True)
    note = fields.String(allow_none=True)
    version = fields.Integer()
    created_at = AwareDateTime()
    updated_at = AwareDateTime()


class PlacementQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    kind = fields.String(validate=KINDS)
    status = fields.String(validate=STATUSES)
    due = fields.String(
        validate=validate.OneOf([DueState.BLOCKED.value, DueState.DUE_SOON.value]),
        metadata={"description": "blocked: 开始日期已到仍待出发; due_soon: 两周内开始"},
    )
    sort = fields.String(
        validate=validate.OneOf(["due"]),
        metadata={"description": "due: by start date, soonest first"},
    )


class StepSchema(Schema):
    """/start and /finish: the day (default: today on the campus)."""

    on = Date(load_default=None)
