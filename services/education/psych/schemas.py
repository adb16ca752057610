"""Request and response schemas of the psych ledger's API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.education.psych.domain import PSYCH_STATUSES, RISK_LEVELS
from services.education.schemas import ID, TEXT, UNIT_CODE
from shared.fields import AwareDateTime, Date


class InterventionCreateSchema(Schema):
    happened_on = Date(required=True)
    measure = fields.String(required=True, validate=TEXT)
    by_name = fields.String(load_default=None, validate=validate.Length(min=1, max=50))
    next_follow_up_on = Date(load_default=None)


class InterventionSchema(Schema):
    id = fields.String()
    happened_on = Date()
    measure = fields.String()
    by_name = fields.String()


class PsychRecordCreateSchema(Schema):
    unit_code = fields.String(required=True, validate=UNIT_CODE)
    student_ref = fields.String(required=True, validate=validate.Length(min=1, max=64))
    student_name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    class_name = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    risk_level = fields.String(required=True, validate=validate.OneOf(list(RISK_LEVELS)))
    screening = fields.String(load_default=None, validate=TEXT)
    status = fields.String(load_default="following", validate=validate.OneOf(list(PSYCH_STATUSES)))
    next_follow_up_on = Date(load_default=None)


class PsychRecordUpdateSchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    class_name = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    risk_level = fields.String(validate=validate.OneOf(list(RISK_LEVELS)))
    screening = fields.String(allow_none=True, validate=TEXT)
    status = fields.String(validate=validate.OneOf(list(PSYCH_STATUSES)))
    next_follow_up_on = Date(allow_none=True)


class PsychRecordSchema(Schema):
    id = fields.String()
    unit_code = fields.String()
    student_ref = fields.String()
    student_name = fields.String()
    class_name = fields.String(allow_none=True)
    risk_level = fields.String()
    risk_level_label = fields.Function(lambda r: RISK_LEVELS.get(r.risk_level, r.risk_level))
    screening = fields.String(allow_none=True)
    status = fields.String()
    status_label = fields.Function(lambda r: PSYCH_STATUSES.get(r.status, r.status))
    next_follow_up_on = Date(allow_none=True)
    interventions = fields.List(fields.Nested(InterventionSchema))


class PsychQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    status = fields.String(validate=validate.OneOf(list(PSYCH_STATUSES)))


class PsychCountsSchema(Schema):
    unit_code = fields.String()
    total = fields.Integer()
    open = fields.Integer(metadata={"description": "not closed (解除关注)"})
    by_risk_level = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "open records"}
    )
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())


class AccessLogQuerySchema(Schema):
    record_id = fields.String(validate=ID)


class AccessLogSchema(Schema):
    id = fields.Integer()
    record_id = fields.String(allow_none=True)
    action = fields.String()
    actor = fields.String()
    actor_name = fields.String()
    request_id = fields.String(allow_none=True)
    at = AwareDateTime()
