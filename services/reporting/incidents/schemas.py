"""Schemas of GET /statistics/incidents."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.fields import Date

UNIT_CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$", error="单位编码只能由字母、数字、_ 和 - 组成")


class IncidentStatisticsQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    campaign_id = fields.String(
        validate=validate.Length(min=1, max=36),
        metadata={"description": "the campaign's period, unless period_from/period_to say"},
    )
    period_from = Date(metadata={"description": "campus date the incidents happened from"})
    period_to = Date()


class _Counts(Schema):
    incidents = fields.Integer(metadata={"description": "incidents and near misses"})
    near_misses = fields.Integer()
    major = fields.Integer(metadata={"description": "重大及以上 that happened"})
    deaths = fields.Integer()
    injuries = fields.Integer()
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())


class _UnitCounts(_Counts):
    unit_code = fields.String()


class _Goal(Schema):
    label = fields.String()
    major_incidents = fields.Integer()
    met = fields.Boolean()


class IncidentStatisticsSchema(_Counts):
    period_from = Date(allow_none=True)
    period_to = Date(allow_none=True)
    unit_code = fields.String(allow_none=True)
    by_unit = fields.List(fields.Nested(_UnitCounts))
    goal = fields.Nested(_Goal, metadata={"description": "the campaign's 无重大安全事故"})
