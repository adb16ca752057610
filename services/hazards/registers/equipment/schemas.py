"""Request and response schemas of the special-equipment register."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.hazards.registers.equipment.domain import (
    DUE_STATE_LABELS,
    EQUIPMENT_KIND_LABELS,
    EQUIPMENT_STATUS_LABELS,
    PERIODIC_RESULT_LABELS,
    DueState,
    EquipmentKind,
    EquipmentStatus,
    PeriodicResult,
)
from services.hazards.registers.schemas import ID, NAME, NOTE, PERSON, UNIT_CODE, label_field
from shared.fields import AwareDateTime, Date

KINDS = validate.OneOf([k.value for k in EquipmentKind])
STATUSES = validate.OneOf([s.value for s in EquipmentStatus])
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
    status = fields.String(load_default=EquipmentStatus.IN_USE.value, validate=STATUSES)

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        last, due = data.get("last_inspected_on"), data.get("next_inspection_due")
        if last is not None and due is not None and due <= last:
            raise ValidationError("须晚于上次检验日期", "next_inspection_due")


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
    kind_label = label_field(EQUIPMENT_KIND_LABELS, EquipmentKind, "kind")
    name = fields.String()
    model = fields.String(allow_none=True)
    unit_code = fields.String()
    cell_id = fields.String()
    location = fields.String(allow_none=True)
    keeper_name = fields.String()
    last_inspected_on = Date(allow_none=True)
    next_inspection_due = Date(allow_none=True)
    due_state = fields.String(metadata={"description": "overdue / due_soon (30 days) / ok"})
    due_state_label = label_field(DUE_STATE_LABELS, DueState, "due_state")
    status = fields.String()
    status_label = label_field(EQUIPMENT_STATUS_LABELS, EquipmentStatus, "status")
    version = fields.Integer()
    created_at = AwareDateTime()
    updated_at = AwareDateTime()


class EquipmentQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    cell_id = fields.String(validate=ID)
    kind = fields.String(validate=KINDS)
    status = fields.String(validate=STATUSES)
    due = fields.String(validate=validate.OneOf([DueState.OVERDUE.value, DueState.DUE_SOON.value]))
    sort = fields.String(
        validate=validate.OneOf(["due"]),
        metadata={"description": "due: by next inspection date, soonest first (no date last)"},
    )


class PeriodicInspectionCreateSchema(Schema):
    inspected_on = Date(required=True)
    result = fields.String(
        required=True, validate=validate.OneOf([r.value for r in PeriodicResult])
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
    result_label = label_field(PERIODIC_RESULT_LABELS, PeriodicResult, "result")
    next_due = Date(allow_none=True)
    agency = fields.String(allow_none=True)
    report_no = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = AwareDateTime()
