"""Schemas of /statistics: the measures, the period table, 周整改 (weekly) and 月汇总
(monthly)."""

from __future__ import annotations

import re
from datetime import date

from marshmallow import Schema, fields, validate

from services.reporting.schemas import CODE
from services.reporting.statistics.queries import DIMENSIONS
from shared.fields import EARLIEST, LATEST, OUT_OF_RANGE, AwareDateTime, Date

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class IsoWeek(fields.Field):
    """An ISO 8601 week, ``YYYY-Www`` (what an HTML week input sends), read as its Monday."""

    default_error_messages = {
        "invalid": "须为 ISO 周，如 2021-W47",
        "no_such_week": "该年没有这一周",
        "out_of_range": OUT_OF_RANGE,
    }

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        match = _WEEK.match(value) if isinstance(value, str) else None
        if match is None:
            raise self.make_error("invalid")
        try:
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError as exc:
            raise self.make_error("no_such_week") from exc
        if not EARLIEST <= monday <= LATEST:
            raise self.make_error("out_of_range")
        return monday

    def _serialize(self, value, attr, obj, **kwargs) -> str | None:
        if value is None:
            return None
        year, week, _ = value.isocalendar()
        return f"{year}-W{week:02d}"


class Month(fields.Field):
    """A calendar month, ``YYYY-MM`` (what an HTML month input sends), read as its first day."""

    default_error_messages = {
        "invalid": "须为月份，如 2021-11",
        "out_of_range": OUT_OF_RANGE,
    }

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        match = _MONTH.match(value) if isinstance(value, str) else None
        if match is None or not 1 <= int(match[2]) <= 12:
            raise self.make_error("invalid")
        first = date(int(match[1]), int(match[2]), 1)
        if not EARLIEST <= first <= LATEST:
            raise self.make_error("out_of_range")
        return first

    def _serialize(self, value, attr, obj, **kwargs) -> str | None:
        return None if value is None else f"{value.year:04d}-{value.month:02d}"


class _ScopeQuery(Schema):
    unit_code = fields.String(validate=CODE)
    category = fields.String(validate=validate.Length(min=1, max=32))


class PeriodTableQuerySchema(_ScopeQuery):
    campaign_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    due_id = fields.String(validate=validate.Length(min=1, max=36))


class WeeklyQuerySchema(_ScopeQuery):
    week = IsoWeek(metadata={"description": "ISO week (YYYY-Www); default: this campus week"})
    summary = fields.Boolean(
        load_default=False,
        metadata={"description": "true: each unit's counts only, without its hazards"},
    )


class MonthlyQuerySchema(_ScopeQuery):
    month = Month(metadata={"description": "YYYY-MM; default: this campus month"})


class PeriodMeasuresSchema(Schema):
    key = fields.String(metadata={"description": "category (rows) — absent on totals"})
    open_at_start = fields.Integer(metadata={"description": "期初未整改"})
    found = fields.Integer(metadata={"description": "本期发现"})
    closed_in_period = fields.Integer(metadata={"description": "本期整改 (closed_at in period)"})
    open_at_end = fields.Integer(metadata={"description": "期末未整改"})
    cumulative_found = fields.Integer(metadata={"description": "累计发现"})
    cumulative_closed = fields.Integer(metadata={"description": "累计整改"})
    cumulative_rate = fields.Float(allow_none=True, metadata={"description": "累计整改率"})
    overdue_at_end = fields.Integer(metadata={"description": "期末逾期未整改"})
    major = fields.Integer(metadata={"description": "本期发现的重大隐患"})


class PeriodUnitSchema(Schema):
    unit_code = fields.String()
    unit_name = fields.String()
    rows = fields.List(fields.Nested(PeriodMeasuresSchema))
    totals = fields.Nested(PeriodMeasuresSchema)


class PeriodReportSchema(Schema):
    period_start = Date()
    period_end = Date()
    since = Date(allow_none=True, metadata={"description": "cumulative from (None: ever)"})
    closed_basis = fields.String(metadata={"description": "the moment a hazard counts closed"})
    units = fields.List(fields.Nested(PeriodUnitSchema))
    by_category = fields.List(fields.Nested(PeriodMeasuresSchema))
    totals = fields.Nested(PeriodMeasuresSchema)


class PeriodTableSchema(PeriodReportSchema):
    due_id = fields.String()
    due_on = Date()


class PeriodTablesSchema(Schema):
    campaign_id = fields.String()
    campaign_start = Date()
    periods = fields.List(fields.Nested(PeriodTableSchema))


class MonthlySchema(PeriodReportSchema):
    month = Month()


class WeeklyItemSchema(Schema):
    hazard_id = fields.String()
    number = fields.String()
    unit_code = fields.String()
    category = fields.String()
    severity = fields.String()
    status = fields.String()
    found_at = AwareDateTime()
    deadline = Date()
    state = fields.String(metadata={"description": "due (deadline not passed) or overdue"})
    days_overdue = fields.Integer()
    responsible_person_name = fields.String(allow_none=True)


class WeeklyUnitSchema(Schema):
    unit_code = fields.String()
    unit_name = fields.String()
    due = fields.Integer()
    overdue = fields.Integer()
    items = fields.List(fields.Nested(WeeklyItemSchema))


class WeeklyCountsSchema(Schema):
    due = fields.Integer()
    overdue = fields.Integer()


class WeeklySchema(Schema):
    week = IsoWeek()
    week_start = Date()
    week_end = Date()
    as_of = AwareDateTime(metadata={"description": "now, or the end of a past week"})
    closed_basis = fields.String()
    units = fields.List(fields.Nested(WeeklyUnitSchema))
    totals = fields.Nested(WeeklyCountsSchema)


# -- GET /statistics: the measures by a dimension ------------------------------------------
class StatisticsQuerySchema(Schema):
    campaign_id = fields.String(validate=validate.Length(min=1, max=36))
    unit_code = fields.String(validate=CODE)
    category = fields.String(validate=validate.Length(min=1, max=32))
    severity = fields.String(validate=validate.OneOf(["general", "major"]))
    period_from = Date()
    period_to = Date()
    group_by = fields.String(load_default="unit", validate=validate.OneOf(list(DIMENSIONS)))


class MeasuresSchema(Schema):
    key = fields.String()
    found = fields.Integer()
    rectified = fields.Integer()
    in_remediation = fields.Integer()
    overdue = fields.Integer()
    major = fields.Integer()
    closed = fields.Integer(metadata={"description": "已销号: closed or archived"})
    rectification_rate = fields.Float(allow_none=True)
    average_days_to_close = fields.Float(allow_none=True)


class UnitCountsSchema(Schema):
    total = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())


class CoverageSchema(Schema):
    unit_code = fields.String()
    activities = fields.Integer()
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())


class PlanCountsSchema(Schema):
    plans = fields.Integer(metadata={"description": "现行有效的应急预案"})
    undrilled = fields.Integer(metadata={"description": "超期未演练"})
    review_overdue = fields.Integer(metadata={"description": "超期未修订"})
    lapsed = fields.Integer(metadata={"description": "至少一项超期"})


class UnitPlanCountsSchema(PlanCountsSchema):
    unit_code = fields.String()


class PlanStatisticsSchema(Schema):
    as_of = Date(metadata={"description": "按此校园日期判断超期"})
    units = fields.List(fields.Nested(UnitPlanCountsSchema))
    totals = fields.Nested(PlanCountsSchema)


class StatisticsSchema(Schema):
    total = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_unit = fields.Dict(keys=fields.String(), values=fields.Nested(UnitCountsSchema))
    group_by = fields.String()
    rows = fields.List(fields.Nested(MeasuresSchema))
    totals = fields.Nested(MeasuresSchema)
    education = fields.List(fields.Nested(CoverageSchema))
    emergency_plans = fields.Nested(PlanStatisticsSchema)
