"""Request and response schemas of the buildings register."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.hazards.registers.buildings.domain import (
    APPRAISAL_STATE_LABELS,
    GRADE_LABELS,
    RISK_FLAG_LABELS,
    STRUCTURE_LABELS,
    USE_LABELS,
    AppraisalState,
    Grade,
    RiskFlag,
    Structure,
    Use,
)
from services.hazards.registers.schemas import ID, NAME, UNIT_CODE, label_field
from shared.fields import AwareDateTime, Date

STRUCTURES = validate.OneOf([s.value for s in Structure])
USES = validate.OneOf([u.value for u in Use])
GRADES = validate.OneOf([g.value for g in Grade])
FLAGS = validate.OneOf([f.value for f in RiskFlag])
YEAR = validate.Range(min=1800, max=2200)
FLOORS = validate.Range(min=1, max=200)
AREA = validate.Range(min=0, min_inclusive=False, max=10_000_000)
FACILITIES = validate.Length(max=2000)


class BuildingCreateSchema(Schema):
    cell_id = fields.String(required=True, validate=ID, metadata={"description": "网格地点"})
    name = fields.String(required=True, validate=NAME)
    built_year = fields.Integer(load_default=None, validate=YEAR)
    structure = fields.String(required=True, validate=STRUCTURES)
    floors = fields.Integer(load_default=None, validate=FLOORS)
    area = fields.Float(load_default=None, validate=AREA, metadata={"description": "m²"})
    use = fields.String(required=True, validate=USES)
    appraised_on = Date(load_default=None)
    appraisal_grade = fields.String(load_default=None, validate=GRADES)
    appraisal_due = Date(load_default=None, metadata={"description": "下次鉴定日期"})
    fire_facilities = fields.String(load_default=None, validate=FACILITIES)
    risk_flags = fields.List(fields.String(validate=FLAGS), load_default=list)


class BuildingUpdateSchema(Schema):
    name = fields.String(validate=NAME)
    built_year = fields.Integer(allow_none=True, validate=YEAR)
    structure = fields.String(validate=STRUCTURES)
    floors = fields.Integer(allow_none=True, validate=FLOORS)
    area = fields.Float(allow_none=True, validate=AREA)
    use = fields.String(validate=USES)
    appraised_on = Date(allow_none=True)
    appraisal_grade = fields.String(allow_none=True, validate=GRADES)
    appraisal_due = Date(allow_none=True)
    fire_facilities = fields.String(allow_none=True, validate=FACILITIES)
    risk_flags = fields.List(fields.String(validate=FLAGS))


def _flag_labels(obj) -> list[str]:
    flags = obj["risk_flags"] if isinstance(obj, dict) else obj.risk_flags
    return [RISK_FLAG_LABELS[RiskFlag(f)] for f in flags or []]


class SiteSchema(Schema):
    id = fields.String()
    building_id = fields.String()
    project = fields.String()
    contractor = fields.String(allow_none=True)
    isolated = fields.Boolean()
    starts_on = Date()
    ends_on = Date()
    active = fields.Boolean()
    created_at = AwareDateTime()


class BuildingSchema(Schema):
    id = fields.String()
    cell_id = fields.String()
    unit_code = fields.String()
    name = fields.String()
    built_year = fields.Integer(allow_none=True)
    structure = fields.String()
    structure_label = label_field(STRUCTURE_LABELS, Structure, "structure")
    floors = fields.Integer(allow_none=True)
    area = fields.Float(allow_none=True)
    use = fields.String()
    use_label = label_field(USE_LABELS, Use, "use")
    appraised_on = Date(allow_none=True)
    appraisal_grade = fields.String(allow_none=True)
    appraisal_grade_label = label_field(GRADE_LABELS, Grade, "appraisal_grade")
    appraisal_due = Date(allow_none=True)
    appraisal_state = fields.String(metadata={"description": "unsafe/lapsed/due_soon/ok/unknown"})
    appraisal_state_label = label_field(APPRAISAL_STATE_LABELS, AppraisalState, "appraisal_state")
    fire_facilities = fields.String(allow_none=True)
    risk_flags = fields.List(fields.String())
    risk_flag_labels = fields.Function(_flag_labels)
    drawing_filename = fields.String(allow_none=True)
    drawing_uploaded_at = AwareDateTime(allow_none=True)
    sites = fields.List(fields.Nested(SiteSchema))
    version = fields.Integer()
    created_at = AwareDateTime()
    updated_at = AwareDateTime()


class BuildingQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    cell_id = fields.String(validate=ID)
    use = fields.String(validate=USES)
    structure = fields.String(validate=STRUCTURES)
    grade = fields.String(validate=GRADES)
    risk_flag = fields.String(validate=FLAGS)
    due = fields.String(
        validate=validate.OneOf(
            [
                AppraisalState.LAPSED.value,
                AppraisalState.DUE_SOON.value,
                AppraisalState.UNSAFE.value,
            ]
        ),
        metadata={"description": "the due list: lapsed / due_soon / unsafe"},
    )
    sort = fields.String(validate=validate.OneOf(["due"]))


class SiteCreateSchema(Schema):
    project = fields.String(required=True, validate=NAME, metadata={"description": "施工项目"})
    contractor = fields.String(load_default=None, validate=validate.Length(max=100))
    isolated = fields.Boolean(required=True, metadata={"description": "施工隔离到位"})
    starts_on = Date(required=True)
    ends_on = Date(required=True)


class RelatedSchema(Schema):
    """What the building page lists beside the record: the risk points, hazards, special
    equipment and chemicals stores (危化品存放点) of the building's place and of the places
    below it (floors, rooms), each with its ``cell_id``."""

    risk_points = fields.List(fields.Dict())
    hazards = fields.List(fields.Dict())
    equipment = fields.List(fields.Dict())
    chemical_stores = fields.List(fields.Dict())
