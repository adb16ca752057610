"""Request and response schemas of the vehicles and drivers register."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.hazards.registers.schemas import ID, PERSON, UNIT_CODE, label_field
from services.hazards.registers.vehicles.domain import (
    DRIVER_STATUS_LABELS,
    DUE_STATE_LABELS,
    LICENCE_CLASSES,
    VEHICLE_KIND_LABELS,
    VEHICLE_STATUS_LABELS,
    DriverStatus,
    DueState,
    VehicleKind,
    VehicleStatus,
)
from shared.fields import AwareDateTime, Date

KINDS = validate.OneOf([k.value for k in VehicleKind])
VEHICLE_STATUSES = validate.OneOf([s.value for s in VehicleStatus])
DRIVER_STATUSES = validate.OneOf([s.value for s in DriverStatus])
CLASSES = validate.OneOf(list(LICENCE_CLASSES))
PLATE = validate.Length(min=1, max=16)
STAFF_NO = validate.Length(min=1, max=32)
DUE = validate.OneOf([DueState.LAPSED.value, DueState.DUE_SOON.value])
SORT = validate.OneOf(["due"])


class VehicleCreateSchema(Schema):
    plate_no = fields.String(required=True, validate=PLATE, metadata={"description": "号牌号码"})
    kind = fields.String(required=True, validate=KINDS)
    model = fields.String(load_default=None, validate=validate.Length(max=100))
    seats = fields.Integer(load_default=None, validate=validate.Range(min=1, max=100))
    cell_id = fields.String(required=True, validate=ID, metadata={"description": "停放地点"})
    inspection_due = Date(required=True, metadata={"description": "年检有效期至"})
    insurance_due = Date(required=True, metadata={"description": "保险有效期至"})
    status = fields.String(load_default=VehicleStatus.IN_USE.value, validate=VEHICLE_STATUSES)


class VehicleUpdateSchema(Schema):
    """A renewal (年检、保险) is a PATCH of its date."""

    plate_no = fields.String(validate=PLATE)
    kind = fields.String(validate=KINDS)
    model = fields.String(allow_none=True, validate=validate.Length(max=100))
    seats = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100))
    cell_id = fields.String(validate=ID)
    inspection_due = Date()
    insurance_due = Date()
    status = fields.String(validate=VEHICLE_STATUSES)


class VehicleSchema(Schema):
    id = fields.String()
    plate_no = fields.String()
    kind = fields.String()
    kind_label = label_field(VEHICLE_KIND_LABELS, VehicleKind, "kind")
    model = fields.String(allow_none=True)
    seats = fields.Integer(allow_none=True)
    unit_code = fields.String()
    cell_id = fields.String()
    inspection_due = Date()
    insurance_due = Date()
    lapses = fields.List(fields.String(), metadata={"description": "the lapsed dates' fields"})
    due_state = fields.String(metadata={"description": "lapsed / due_soon (30 days) / ok"})
    due_state_label = label_field(DUE_STATE_LABELS, DueState, "due_state")
    status = fields.String()
    status_label = label_field(VEHICLE_STATUS_LABELS, VehicleStatus, "status")
    version = fields.Integer()
    created_at = AwareDateTime()
    updated_at = AwareDateTime()


class VehicleQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    cell_id = fields.String(validate=ID)
    kind = fields.String(validate=KINDS)
    status = fields.String(validate=VEHICLE_STATUSES)
    due = fields.String(validate=DUE)
    sort = fields.String(validate=SORT, metadata={"description": "due: the soonest lapse first"})


class DriverCreateSchema(Schema):
    name = fields.String(required=True, validate=PERSON)
    staff_no = fields.String(required=True, validate=STAFF_NO, metadata={"description": "工号"})
    phone = fields.String(load_default=None, validate=validate.Length(max=32))
    cell_id = fields.String(required=True, validate=ID, metadata={"description": "所在单位地点"})
    licence_class = fields.String(required=True, validate=CLASSES)
    licence_expiry = Date(required=True, metadata={"description": "驾驶证有效期至"})
    last_education_on = Date(load_default=None, metadata={"description": "最近一次安全教育日期"})
    status = fields.String(load_default=DriverStatus.ACTIVE.value, validate=DRIVER_STATUSES)


class DriverUpdateSchema(Schema):
    name = fields.String(validate=PERSON)
    staff_no = fields.String(validate=STAFF_NO)
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))
    cell_id = fields.String(validate=ID)
    licence_class = fields.String(validate=CLASSES)
    licence_expiry = Date()
    last_education_on = Date(allow_none=True)
    status = fields.String(validate=DRIVER_STATUSES)


class DriverSchema(Schema):
    id = fields.String()
    name = fields.String()
    staff_no = fields.String()
    phone = fields.String(allow_none=True)
    unit_code = fields.String()
    cell_id = fields.String()
    licence_class = fields.String()
    licence_expiry = Date()
    last_education_on = Date(allow_none=True)
    last_education_activity_id = fields.String(
        allow_none=True, metadata={"description": "the education activity it came from"}
    )
    last_education_activity_title = fields.String(allow_none=True)
    education_source = fields.String(
        allow_none=True, metadata={"description": "教育活动《…》 or 手工录入; None: never"}
    )
    education_valid_until = Date(allow_none=True)
    lapses = fields.List(fields.String())
    due_state = fields.String()
    due_state_label = label_field(DUE_STATE_LABELS, DueState, "due_state")
    status = fields.String()
    status_label = label_field(DRIVER_STATUS_LABELS, DriverStatus, "status")
    version = fields.Integer()
    created_at = AwareDateTime()
    updated_at = AwareDateTime()


class DriverQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    cell_id = fields.String(validate=ID)
    status = fields.String(validate=DRIVER_STATUSES)
    licence_class = fields.String(validate=CLASSES)
    due = fields.String(validate=DUE)
    sort = fields.String(validate=SORT)


class TripCreateSchema(Schema):
    vehicle_id = fields.String(required=True, validate=ID)
    driver_id = fields.String(required=True, validate=ID)
    trip_on = Date(required=True, metadata={"description": "出车日期"})
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TripSchema(Schema):
    id = fields.String()
    vehicle_id = fields.String()
    driver_id = fields.String()
    unit_code = fields.String()
    trip_on = Date()
    purpose = fields.String()
    recorded_by = fields.String()
    recorded_at = AwareDateTime()


class TripQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    vehicle_id = fields.String(validate=ID)
    driver_id = fields.String(validate=ID)
    since = Date()
    until = Date()
