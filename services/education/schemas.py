"""Request and response schemas of the education API."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.education.domain import (
    KIND_LABELS,
    SEVERITIES,
    SEVERITY_LABELS,
    STATUS_LABELS,
    Kind,
    Status,
)
from shared.fields import AwareDateTime, Date
from shared.vocabulary import CATEGORIES, category_label

UNIT_CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}\Z")  # \Z: no trailing newline
UNIT_CODE = validate.Regexp(UNIT_CODE_PATTERN, error="单位编码只能由字母、数字、_ 和 - 组成")
ID = validate.Length(min=1, max=36)
TEXT = validate.Length(min=1, max=4000)
KINDS = [k.value for k in Kind]


# -- activities -------------------------------------------------------------------------------
class TargetSchema(Schema):
    unit_code = fields.String(required=True, validate=UNIT_CODE)
    class_name = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "a class of the unit (班级); absent = the whole unit"},
    )


def _check_period(data: dict) -> None:
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts is not None and ends is not None and ends <= starts:
        raise ValidationError("须晚于开始时间", "ends_at")


class ActivityCreateSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(KINDS),
        metadata={"description": ", ".join(f"{k.value} {v}" for k, v in KIND_LABELS.items())},
    )
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    theme = fields.String(load_default=None, validate=validate.Length(max=100))
    description = fields.String(load_default=None, validate=TEXT)
    organiser_unit = fields.String(required=True, validate=UNIT_CODE)
    targets = fields.List(
        fields.Nested(TargetSchema), required=True, validate=validate.Length(min=1, max=200)
    )
    venue = fields.String(load_default=None, validate=validate.Length(max=200))
    starts_at = AwareDateTime(required=True)
    ends_at = AwareDateTime(required=True)
    capacity = fields.Integer(load_default=None, validate=validate.Range(min=1, max=100000))
    plan_id = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=36),
        metadata={"description": "a drill: the emergency plan (应急预案) it exercises"},
    )

    @validates_schema
    def _period(self, data, **kwargs):
        _check_period(data)

    @validates_schema
    def _plan_only_for_drills(self, data, **kwargs):
        if data.get("plan_id") and data.get("kind") != Kind.DRILL.value:
            raise ValidationError("仅演练可关联应急预案", "plan_id")


class ActivityUpdateSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    theme = fields.String(allow_none=True, validate=validate.Length(max=100))
    description = fields.String(allow_none=True, validate=TEXT)
    targets = fields.List(fields.Nested(TargetSchema), validate=validate.Length(min=1, max=200))
    venue = fields.String(allow_none=True, validate=validate.Length(max=200))
    starts_at = AwareDateTime()
    ends_at = AwareDateTime()
    capacity = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100000))
    plan_id = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=36),
        metadata={"description": "a drill: the emergency plan (应急预案) it exercises"},
    )

    @validates_schema
    def _period(self, data, **kwargs):
        _check_period(data)


class CancelSchema(Schema):
    reason = fields.String(required=True, validate=TEXT)


class HeldSchema(Schema):
    participants = fields.Integer(
        load_default=None,
        validate=validate.Range(min=0),
        metadata={"description": "default: the number of people checked in"},
    )


class WarningSchema(Schema):
    code = fields.String()
    detail = fields.String()
    unit_code = fields.String()
    class_name = fields.String(allow_none=True)
    activity_id = fields.String()
    title = fields.String()
    starts_at = AwareDateTime()
    ends_at = AwareDateTime()


class ActivitySchema(Schema):
    id = fields.String()
    kind = fields.String()
    kind_label = fields.Function(lambda a: KIND_LABELS.get(Kind(a.kind), a.kind))
    title = fields.String()
    theme = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    organiser_unit = fields.String()
    targets = fields.List(fields.Nested(TargetSchema))
    target_units = fields.List(fields.String())
    venue = fields.String(allow_none=True)
    starts_at = AwareDateTime()
    ends_at = AwareDateTime()
    capacity = fields.Integer(allow_none=True)
    status = fields.String()
    status_label = fields.Function(lambda a: STATUS_LABELS.get(Status(a.status), a.status))
    cancel_reason = fields.String(allow_none=True)
    participants = fields.Integer(allow_none=True)
    plan_id = fields.String(allow_none=True)
    version = fields.Integer()


class ScheduledActivitySchema(ActivitySchema):
    warnings = fields.List(
        fields.Nested(WarningSchema),
        metadata={"description": "target units or classes also expected elsewhere then"},
    )


class ActivityQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(KINDS))
    status = fields.String(validate=validate.OneOf([s.value for s in Status]))
    unit_code = fields.String(
        validate=UNIT_CODE, metadata={"description": "organised by or aimed at this unit"}
    )
    venue = fields.String(validate=validate.Length(max=200))
    starts_from = Date(metadata={"description": "campus date"})
    starts_to = Date(metadata={"description": "campus date, inclusive"})


# -- calendar -------------------------------------------------------------------------------
class CalendarQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    from_ = Date(data_key="from", load_default=None)
    to = Date(load_default=None)
    include_cancelled = fields.Boolean(load_default=False)


class SuggestionSchema(Schema):
    key = fields.String()
    name = fields.String()
    theme = fields.String()
    starts_on = Date()
    ends_on = Date()
    suggested_kinds = fields.List(fields.String())
    suggested_kind_labels = fields.Function(
        lambda s: [KIND_LABELS.get(Kind(k), k) for k in s.suggested_kinds if k in KINDS]
    )
    source = fields.String(metadata={"description": "national | campaign"})


class CalendarSchema(Schema):
    unit_code = fields.String(allow_none=True)
    from_ = Date(data_key="from")
    to = Date()
    timezone = fields.String()
    activities = fields.List(fields.Nested(ActivitySchema))
    themed_dates = fields.List(fields.Nested(SuggestionSchema))


class SubscriptionSchema(Schema):
    unit_code = fields.String()
    url = fields.String(metadata={"description": "the .ics feed, key included"})
    webcal_url = fields.String()


class FeedQuerySchema(Schema):
    key = fields.String(load_default=None, validate=validate.Length(max=128))


class YearQuerySchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class ThemedDateCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    theme = fields.String(load_default=None, validate=validate.Length(max=100))
    starts_on = Date(required=True)
    ends_on = Date(required=True)
    suggested_kinds = fields.List(fields.String(validate=validate.OneOf(KINDS)), load_default=list)


class ThemedDateSchema(Schema):
    id = fields.String()
    name = fields.String()
    theme = fields.String(allow_none=True)
    starts_on = Date()
    ends_on = Date()
    suggested_kinds = fields.List(fields.String())


class CoverageQuerySchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    from_ = Date(data_key="from", required=True)
    to = Date(required=True)
    include_planned = fields.Boolean(load_default=False)

    @validates_schema
    def _order(self, data, **kwargs):
        if data["to"] < data["from_"]:
            raise ValidationError("不能早于开始日期", "to")


class CoverageUnitSchema(Schema):
    unit_code = fields.String()
    unit_name = fields.String()
    activities = fields.Integer()
    covered = fields.Boolean()


class CoverageSchema(Schema):
    kind = fields.String()
    kind_label = fields.String()
    from_ = Date(data_key="from")
    to = Date()
    units = fields.List(fields.Nested(CoverageUnitSchema))
    uncovered = fields.List(fields.String(), metadata={"description": "units with no activity"})


# -- attendance ------------------------------------------------------------------------------
class PersonSchema(Schema):
    person_ref = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "学号 / 工号"},
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    unit_code = fields.String(required=True, validate=UNIT_CODE)
    class_name = fields.String(load_default=None, validate=validate.Length(min=1, max=64))


class EnrolSchema(Schema):
    people = fields.List(
        fields.Nested(PersonSchema), required=True, validate=validate.Length(min=1, max=5000)
    )


class EnrolResultSchema(Schema):
    enrolled = fields.Integer()
    already_enrolled = fields.Integer()
    total = fields.Integer()


class EnrolmentSchema(Schema):
    id = fields.String()
    person_ref = fields.String()
    name = fields.String()
    unit_code = fields.String()
    class_name = fields.String(allow_none=True)
    enrolled_at = AwareDateTime()
    checked_in_at = AwareDateTime(allow_none=True)
    checked_in_by = fields.String(
        allow_none=True,
        metadata={"description": "who checked the person in: the person, or a kiosk (kiosk:…)"},
    )


class CheckInSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    person_ref = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": "学号 / 工号: a kiosk names the person; anyone else may only name "
            "themselves (403 otherwise), and by default is the person the token names"
        },
    )


class CheckInResultSchema(Schema):
    activity_id = fields.String()
    person_ref = fields.String()
    name = fields.String()
    checked_in_at = AwareDateTime()


class SignInSchema(Schema):
    activity_id = fields.String()
    code = fields.String()
    url = fields.String(metadata={"description": "what the QR code encodes"})
    opens_at = AwareDateTime()
    closes_at = AwareDateTime()


class QrQuerySchema(Schema):
    format = fields.String(load_default="png", validate=validate.OneOf(["png", "svg"]))


class UnitRateSchema(Schema):
    unit_code = fields.String()
    enrolled = fields.Integer()
    checked_in = fields.Integer()
    rate = fields.Float(allow_none=True)


class AttendanceSchema(Schema):
    activity_id = fields.String()
    title = fields.String()
    enrolled = fields.Integer()
    checked_in = fields.Integer()
    rate = fields.Float(allow_none=True, metadata={"description": "checked in / enrolled"})
    by_unit = fields.List(fields.Nested(UnitRateSchema))


class AttendanceQuerySchema(Schema):
    from_ = Date(data_key="from", required=True)
    to = Date(required=True)
    kind = fields.String(validate=validate.OneOf(KINDS))
    unit_code = fields.String(validate=UNIT_CODE)


class AttendanceSummarySchema(Schema):
    from_ = Date(data_key="from")
    to = Date()
    kind = fields.String(allow_none=True)
    units = fields.List(fields.Nested(UnitRateSchema))


# -- drills ----------------------------------------------------------------------------------
class DrillProblemCreateSchema(Schema):
    category = fields.String(
        required=True,
        validate=validate.OneOf(list(CATEGORIES)),
        metadata={"description": "a hazard category, e.g. fire 消防安全"},
    )
    description = fields.String(required=True, validate=TEXT)
    severity = fields.String(load_default="general", validate=validate.OneOf(SEVERITIES))
    cell_id = fields.String(load_default=None, validate=ID)
    unit_code = fields.String(
        load_default=None,
        validate=UNIT_CODE,
        metadata={"description": "default: the cell's unit, or the drill's only target unit"},
    )
    found_at = AwareDateTime(load_default=None)


class DrillResultCreateSchema(Schema):
    participants = fields.Integer(required=True, validate=validate.Range(min=0, max=100000))
    evacuation_seconds = fields.Integer(
        load_default=None, validate=validate.Range(min=0, max=86400)
    )
    observations = fields.String(load_default=None, validate=TEXT)
    problems = fields.List(
        fields.Nested(DrillProblemCreateSchema),
        load_default=list,
        validate=validate.Length(max=200),
    )


class DrillProblemsCreateSchema(Schema):
    problems = fields.List(
        fields.Nested(DrillProblemCreateSchema),
        required=True,
        validate=validate.Length(min=1, max=200),
    )


class DrillProblemSchema(Schema):
    id = fields.String(metadata={"description": "problem id = the hazard's source_ref"})
    unit_code = fields.String()
    cell_id = fields.String(allow_none=True)
    category = fields.String()
    category_label = fields.Function(lambda p: category_label(p.category))
    severity = fields.String()
    severity_label = fields.Function(lambda p: SEVERITY_LABELS.get(p.severity, p.severity))
    description = fields.String()
    found_at = AwareDateTime()
    hazard_id = fields.String(allow_none=True)
    hazard_number = fields.String(
        allow_none=True, metadata={"description": "隐患编号, once the hazard ledger opened it"}
    )
    hazard_status = fields.String(allow_none=True)


class DrillReportSchema(Schema):
    activity_id = fields.String()
    title = fields.String()
    status = fields.String()
    participants = fields.Integer(allow_none=True)
    evacuation_seconds = fields.Integer(allow_none=True)
    observations = fields.String(allow_none=True)
    recorded_at = AwareDateTime(allow_none=True)
    problems = fields.List(fields.Nested(DrillProblemSchema))
    hazard_numbers = fields.List(fields.String())
