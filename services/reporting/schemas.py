"""Request and response schemas of the reporting API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class StatisticsQuerySchema(Schema):
    unit_code = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$"))


class UnitCountsSchema(Schema):
    total = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())


class StatisticsSchema(Schema):
    total = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_unit = fields.Dict(keys=fields.String(), values=fields.Nested(UnitCountsSchema))
