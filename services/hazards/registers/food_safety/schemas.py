"""Request and response schemas of the food-safety register."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.hazards.registers.food_safety.domain import (
    CERTIFICATE_KIND_LABELS,
    DUE_STATE_LABELS,
    OUTLET_KIND_LABELS,
    OUTLET_STATUS_LABELS,
    RECORD_KIND_LABELS,
    TEST_RESULT_LABELS,
    CertificateKind,
    DueState,
    OutletKind,
    OutletStatus,
    RecordKind,
    TestResult,
)
from services.hazards.registers.schemas import ID, NAME, NOTE, PERSON, UNIT_CODE, label_field
from shared.fields import AwareDateTime, Date

KINDS = validate.OneOf([k.value for k in OutletKind])
STATUSES = validate.OneOf([s.value for s in OutletStatus])
PLACE = validate.Length(max=200)
OPERATOR = validate.Length(max=100)


class OutletCreateSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(required=True, validate=KINDS)
    cell_id = fields.String(required=True, validate=ID)
    location = fields.String(load_default=None, validate=PLACE)
    operator = fields.String(load_default=None, validate=OPERATOR)
    manager_name = fields.String(required=True, validate=PERSON)
    status = fields.String(load_default=OutletStatus.OPEN.value, validate=STATUSES)


class OutletUpdateSchema(Schema):
    name = fields.String(validate=NAME)
    kind = fields.String(validate=KINDS)
    cell_id = fields.String(validate=ID)
    location = fields.String(allow_none=True, validate=PLACE)
    operator = fields.String(allow_none=True, validate=OPERATOR)
    manager_name = fields.String(validate=PERSON)
    status = fields.String(validate=STATUSES)


class OutletSchema(Schema):
    id = fields.String()
    name = fields.String()
    kind = fields.String()
    kind_label = label_field(OUTLET_KIND_LABELS, OutletKind, "kind")
    unit_code = fields.String()
    cell_id = fields.String()
    location = fields.String(allow_none=True)
    operator = fields.String(allow_none=True)
    manager_name = fields.String()
    status = fields.String()
    status_label = label_field(OUTLET_STATUS_LABELS, OutletStatus, "status")
    earliest_expiry = Date(allow_none=True, metadata={"description": "soonest certificate expiry"})
    due_state = fields.String(allow_none=True, metadata={"description": "expired / due_soon / ok"})
    due_state_label = label_field(DUE_STATE_LABELS, DueState, "due_state")
    version = fields.Integer()
    created_at = AwareDateTime()
    updated_at = AwareDateTime()


class OutletQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    cell_id = fields.String(validate=ID)
    kind = fields.String(validate=KINDS)
    status = fields.String(validate=STATUSES)
    due = fields.String(
        validate=validate.OneOf([DueState.EXPIRED.value, DueState.DUE_SOON.value]),
        metadata={"description": "outlets with a certificate expired / expiring in 30 days"},
    )


class CertificateCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in CertificateKind]))
    holder_name = fields.String(required=True, validate=NAME)
    number = fields.String(load_default=None, validate=validate.Length(max=64))
    issued_on = Date(load_default=None)
    expires_on = Date(required=True)


class CertificateSchema(Schema):
    id = fields.String()
    outlet_id = fields.String()
    kind = fields.String()
    kind_label = label_field(CERTIFICATE_KIND_LABELS, CertificateKind, "kind")
    holder_name = fields.String()
    number = fields.String(allow_none=True)
    expires_on = Date()
    due_state = fields.String()
    due_state_label = label_field(DUE_STATE_LABELS, DueState, "due_state")
    created_at = AwareDateTime()


class RecordCreateSchema(Schema):
    day = Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in RecordKind]))
    person_name = fields.String(required=True, validate=PERSON)
    item = fields.String(load_default=None, validate=PLACE)
    result = fields.String(
        load_default=None, validate=validate.OneOf([r.value for r in TestResult])
    )
    batch_no = fields.String(load_default=None, validate=validate.Length(max=64))
    origin = fields.String(load_default=None, validate=PLACE)
    certificate_no = fields.String(load_default=None, validate=validate.Length(max=64))
    note = fields.String(load_default=None, validate=NOTE)


class RecordQuerySchema(Schema):
    day = Date()


class RecordSchema(Schema):
    id = fields.String()
    outlet_id = fields.String()
    day = Date()
    kind = fields.String()
    kind_label = label_field(RECORD_KIND_LABELS, RecordKind, "kind")
    person_name = fields.String()
    item = fields.String(allow_none=True)
    result = fields.String(allow_none=True)
    result_label = label_field(TEST_RESULT_LABELS, TestResult, "result")
    batch_no = fields.String(allow_none=True)
    origin = fields.String(allow_none=True)
    certificate_no = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = AwareDateTime()
