"""Request and response schemas of the hazardous chemicals register."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.hazards.registers.chemicals.domain import (
    HAZARD_CLASS_LABELS,
    MOVEMENT_LABELS,
    HazardClass,
    MovementKind,
)
from services.hazards.registers.schemas import ID, NAME, NOTE, PERSON, UNIT_CODE, label_field
from shared.fields import AwareDateTime, Date

CLASSES = validate.OneOf([c.value for c in HazardClass])
QUANTITY = validate.Range(min=1, max=10_000_000)
CAS = validate.Regexp(r"^\d{2,7}-\d{2}-\d$", error="CAS 号格式应为 7732-18-5 这样的三段数字")


class ItemCreateSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    cas_no = fields.String(required=True, validate=CAS, metadata={"description": "CAS 号"})
    hazard_class = fields.String(required=True, validate=CLASSES)
    precursor = fields.Boolean(load_default=False, metadata={"description": "易制毒"})
    explosive_precursor = fields.Boolean(load_default=False, metadata={"description": "易制爆"})
    highly_toxic = fields.Boolean(load_default=False, metadata={"description": "剧毒"})
    measure = fields.String(required=True, validate=validate.Length(min=1, max=10))


class ItemUpdateSchema(Schema):
    """A correction of the catalogue entry (PATCH, If-Match its version)."""

    name = fields.String(validate=NAME)
    cas_no = fields.String(validate=CAS)
    hazard_class = fields.String(validate=CLASSES)
    precursor = fields.Boolean()
    explosive_precursor = fields.Boolean()
    highly_toxic = fields.Boolean()
    measure = fields.String(validate=validate.Length(min=1, max=10))


class KeeperSchema(Schema):
    """Whether the caller keeps the catalogue (GET /chemicals/keeper)."""

    may_keep_catalogue = fields.Boolean(required=True)


class ItemSchema(Schema):
    id = fields.String()
    name = fields.String()
    cas_no = fields.String()
    hazard_class = fields.String()
    hazard_class_label = label_field(HAZARD_CLASS_LABELS, HazardClass, "hazard_class")
    precursor = fields.Boolean()
    explosive_precursor = fields.Boolean()
    highly_toxic = fields.Boolean()
    measure = fields.String()
    version = fields.Integer()
    created_at = AwareDateTime()


class ItemQuerySchema(Schema):
    hazard_class = fields.String(validate=CLASSES)
    controlled = fields.Boolean(metadata={"description": "only 易制毒/易制爆/剧毒 items"})


class StoreCreateSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    cell_id = fields.String(required=True, validate=ID)
    capacity = fields.Integer(required=True, validate=QUANTITY)
    segregation_class = fields.String(required=True, validate=CLASSES)
    keeper_name = fields.String(required=True, validate=PERSON)


class StoreUpdateSchema(Schema):
    name = fields.String(validate=NAME)
    cell_id = fields.String(validate=ID)
    capacity = fields.Integer(validate=QUANTITY)
    segregation_class = fields.String(validate=CLASSES)
    keeper_name = fields.String(validate=PERSON)


class StoreSchema(Schema):
    id = fields.String()
    name = fields.String()
    unit_code = fields.String()
    cell_id = fields.String()
    capacity = fields.Integer()
    segregation_class = fields.String()
    segregation_class_label = label_field(HAZARD_CLASS_LABELS, HazardClass, "segregation_class")
    keeper_name = fields.String()
    version = fields.Integer()
    created_at = AwareDateTime()


class StoreQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    cell_id = fields.String(validate=ID)


class MovementCreateSchema(Schema):
    item_id = fields.String(required=True, validate=ID)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in MovementKind]))
    quantity = fields.Integer(required=True, validate=QUANTITY)
    occurred_on = Date(required=True)
    counterparty = fields.String(load_default=None, validate=validate.Length(max=100))
    licence_no = fields.String(load_default=None, validate=validate.Length(max=64))
    purpose = fields.String(load_default=None, validate=validate.Length(max=200))
    second_person = fields.String(load_default=None, validate=validate.Length(max=50))
    manifest_no = fields.String(load_default=None, validate=validate.Length(max=64))
    note = fields.String(load_default=None, validate=NOTE)


class MovementSchema(Schema):
    id = fields.String()
    store_id = fields.String()
    item_id = fields.String()
    kind = fields.String()
    kind_label = label_field(MOVEMENT_LABELS, MovementKind, "kind")
    quantity = fields.Integer()
    delta = fields.Integer()
    occurred_on = Date()
    counterparty = fields.String(allow_none=True)
    licence_no = fields.String(allow_none=True)
    purpose = fields.String(allow_none=True)
    second_person = fields.String(allow_none=True)
    manifest_no = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = AwareDateTime()


class BalanceSchema(Schema):
    item_id = fields.String()
    name = fields.String()
    cas_no = fields.String()
    measure = fields.String()
    balance = fields.Integer()


class CountCreateSchema(Schema):
    item_id = fields.String(required=True, validate=ID)
    counted = fields.Integer(required=True, validate=validate.Range(min=0, max=10_000_000))
    counted_on = Date(required=True)
    counted_by = fields.String(required=True, validate=PERSON)


class CountSchema(Schema):
    id = fields.String()
    store_id = fields.String()
    item_id = fields.String()
    counted_on = Date()
    counted = fields.Integer()
    balance = fields.Integer()
    counted_by = fields.String()
    recorded_at = AwareDateTime()


class ReportQuerySchema(Schema):
    start = Date(required=True, data_key="from")
    end = Date(required=True, data_key="to")
    unit_code = fields.String(validate=UNIT_CODE)

    @validates_schema
    def in_order(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("须不早于开始日期", "to")
