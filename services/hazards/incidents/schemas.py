"""Request and response schemas of the incidents ledger."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.hazards.domain import CATEGORIES, Severity, category_label
from services.hazards.incidents.domain import (
    KIND_LABELS,
    SEVERITY_LABELS,
    IncidentKind,
    IncidentSeverity,
)
from services.hazards.registers.schemas import ID, NAME, PERSON, TEXT, UNIT_CODE, label_field
from services.hazards.schemas import SUBCATEGORY
from shared.fields import AwareDateTime, Date

KINDS = validate.OneOf([k.value for k in IncidentKind])
SEVERITIES = validate.OneOf([s.value for s in IncidentSeverity])
COUNT = validate.Range(min=0, max=100000)
LOSS = validate.Range(min=0, max=10**9)


class IncidentCreateSchema(Schema):
    occurred_at = AwareDateTime(required=True, metadata={"description": "发生时间"})
    cell_id = fields.String(required=True, validate=ID, metadata={"description": "a grid place"})
    kind = fields.String(required=True, validate=KINDS)
    near_miss = fields.Boolean(load_default=False, metadata={"description": "未遂事件"})
    severity = fields.String(required=True, validate=SEVERITIES)
    title = fields.String(required=True, validate=NAME)
    narrative = fields.String(required=True, validate=TEXT, metadata={"description": "事故经过"})
    deaths = fields.Integer(load_default=0, validate=COUNT)
    injuries = fields.Integer(load_default=0, validate=COUNT)
    loss_yuan = fields.Integer(load_default=0, validate=LOSS, metadata={"description": "元"})
    immediate_actions = fields.String(load_default=None, validate=TEXT)


class IncidentUpdateSchema(Schema):
    occurred_at = AwareDateTime()
    cell_id = fields.String(validate=ID)
    kind = fields.String(validate=KINDS)
    near_miss = fields.Boolean()
    severity = fields.String(validate=SEVERITIES)
    title = fields.String(validate=NAME)
    narrative = fields.String(validate=TEXT)
    deaths = fields.Integer(validate=COUNT)
    injuries = fields.Integer(validate=COUNT)
    loss_yuan = fields.Integer(validate=LOSS)
    immediate_actions = fields.String(allow_none=True, validate=TEXT)


class IncidentReportCreateSchema(Schema):
    told = fields.String(
        required=True, validate=NAME, metadata={"description": "报告对象: who was told"}
    )
    told_at = AwareDateTime(required=True)
    told_by = fields.String(load_default=None, validate=PERSON)
    channel = fields.String(load_default=None, validate=validate.Length(min=1, max=50))


class IncidentReportSchema(Schema):
    id = fields.String()
    told = fields.String()
    told_at = AwareDateTime()
    told_by = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = AwareDateTime()


class InvestigationSchema(Schema):
    causes = fields.String(required=True, validate=TEXT, metadata={"description": "事故原因"})


class RevealedHazardCreateSchema(Schema):
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    subcategory = fields.String(load_default=None, validate=SUBCATEGORY)
    description = fields.String(required=True, validate=TEXT)
    severity = fields.String(
        load_default=Severity.GENERAL.value, validate=validate.OneOf([s.value for s in Severity])
    )
    cell_id = fields.String(
        load_default=None, validate=ID, metadata={"description": "default: the incident's"}
    )
    location = fields.String(load_default=None, validate=validate.Length(max=200))


class RevealedHazardSchema(Schema):
    """A hazard of the ledger the incident revealed (its page: GET /hazards/{id})."""

    id = fields.String()
    number = fields.String()
    category = fields.String()
    category_label = fields.Function(lambda h: category_label(h.category))
    severity = fields.String()
    status = fields.String()
    description = fields.String()
    source_ref = fields.String()


class IncidentFindingCreateSchema(Schema):
    unit_code = fields.String(
        required=True, validate=UNIT_CODE, metadata={"description": "the unit found responsible"}
    )
    text = fields.String(required=True, validate=TEXT, metadata={"description": "责任认定"})
    found_on = Date(required=True, metadata={"description": "认定日期"})


class IncidentSchema(Schema):
    id = fields.String()
    unit_code = fields.String()
    cell_id = fields.String()
    occurred_at = AwareDateTime()
    occurred_on = Date()
    kind = fields.String()
    kind_label = label_field(KIND_LABELS, IncidentKind, "kind")
    near_miss = fields.Boolean()
    severity = fields.String()
    severity_label = label_field(SEVERITY_LABELS, IncidentSeverity, "severity")
    major = fields.Boolean(metadata={"description": "重大及以上, not a near miss"})
    title = fields.String()
    narrative = fields.String()
    deaths = fields.Integer()
    injuries = fields.Integer()
    loss_yuan = fields.Integer()
    immediate_actions = fields.String(allow_none=True)
    causes = fields.String(allow_none=True)
    investigated_by = fields.String(allow_none=True)
    investigated_at = AwareDateTime(allow_none=True)
    responsible_unit = fields.String(allow_none=True)
    responsibility = fields.String(allow_none=True)
    found_on = Date(allow_none=True)
    found_by = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_by_name = fields.String(allow_none=True)
    hazard_count = fields.Integer(metadata={"description": "hazards it revealed"})
    reports = fields.List(
        fields.Nested(IncidentReportSchema), metadata={"description": "report chain (one only)"}
    )
    hazards = fields.List(
        fields.Nested(RevealedHazardSchema),
        metadata={"description": "the hazards it revealed (one only)"},
    )
    my_actions = fields.List(
        fields.String(),
        metadata={"description": "edit, report, investigate, open_hazard, find (one only)"},
    )
    version = fields.Integer()
    created_at = AwareDateTime()
    updated_at = AwareDateTime()


class IncidentQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    cell_id = fields.String(validate=ID)
    kind = fields.String(validate=KINDS)
    severity = fields.String(validate=SEVERITIES)
    near_miss = fields.Boolean()
    found = fields.Boolean(metadata={"description": "responsibility found (true) or not yet"})
    occurred_from = Date()
    occurred_to = Date()
