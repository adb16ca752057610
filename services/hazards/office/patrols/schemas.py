"""Request and response schemas of patrol routes and patrols (门卫值守、内部巡查)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.hazards.office.patrols.domain import STATUSES
from services.hazards.office.schemas import FindingSchema, places
from services.hazards.registers.schemas import ID, NAME, NOTE, UNIT_CODE
from shared.fields import AwareDateTime, Date


class RouteCreateSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    unit_code = fields.String(
        load_default=None,
        validate=UNIT_CODE,
        metadata={"description": "the unit whose places it walks (none: the security office's)"},
    )
    cell_ids = places(required=True, metadata={"description": "the places, in walking order"})
    active = fields.Boolean(load_default=True)


class RouteUpdateSchema(Schema):
    name = fields.String(validate=NAME)
    cell_ids = places()
    active = fields.Boolean(metadata={"description": "false retires the route"})


class RoutePlaceSchema(Schema):
    cell_id = fields.String()
    name = fields.String()
    code = fields.String(allow_none=True)


class RouteSchema(Schema):
    id = fields.String()
    name = fields.String()
    unit_code = fields.String(allow_none=True)
    cell_ids = fields.List(fields.String())
    places = fields.List(fields.Nested(RoutePlaceSchema))
    active = fields.Boolean()
    version = fields.Integer()
    updated_at = AwareDateTime()


class RouteQuerySchema(Schema):
    unit_code = fields.String(validate=UNIT_CODE)
    active = fields.Boolean()


class PatrolCreateSchema(Schema):
    route_id = fields.String(required=True, validate=ID)
    patrol_on = Date(load_default=None, metadata={"description": "campus date (default today)"})
    note = fields.String(load_default=None, validate=NOTE)


class CheckInSchema(Schema):
    cell_id = fields.String(load_default=None, validate=ID)
    scan = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "what the place's QR code says (its URL), or its id or code"},
    )
    note = fields.String(load_default=None, validate=NOTE)

    @validates_schema
    def one_place(self, data, **kwargs):
        if not data.get("cell_id") and not data.get("scan"):
            raise ValidationError("须扫描地点二维码或选择地点", "scan")


class FinishSchema(Schema):
    note = fields.String(load_default=None, validate=NOTE)


class PatrolPlaceSchema(RoutePlaceSchema):
    checked_at = AwareDateTime(allow_none=True)
    note = fields.String(allow_none=True)


class PatrolSummarySchema(Schema):
    id = fields.String()
    route_id = fields.String()
    route_name = fields.String()
    unit_code = fields.String(allow_none=True)
    cell_ids = fields.List(fields.String())
    patrol_on = Date()
    runner = fields.String()
    runner_name = fields.String(allow_none=True)
    status = fields.String()
    status_label = fields.Function(lambda p: STATUSES.get(_get(p, "status"), _get(p, "status")))
    started_at = AwareDateTime()
    finished_at = AwareDateTime(allow_none=True)
    missed_count = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)


def _get(obj, attr: str):
    return obj[attr] if isinstance(obj, dict) else getattr(obj, attr)


class PatrolSchema(PatrolSummarySchema):
    places = fields.List(fields.Nested(PatrolPlaceSchema))
    checked_count = fields.Integer()
    remaining = fields.List(fields.String(), metadata={"description": "not yet checked in"})
    missed = fields.List(fields.String(), metadata={"description": "missed (once finished)"})
    missed_places = fields.List(fields.Nested(RoutePlaceSchema))
    findings = fields.List(fields.Nested(FindingSchema))


class PatrolQuerySchema(Schema):
    route_id = fields.String(validate=ID)
    unit_code = fields.String(validate=UNIT_CODE)
    runner = fields.String(validate=validate.Length(min=1, max=64))
    status = fields.String(validate=validate.OneOf(list(STATUSES)))
    on = Date()
    date_from = Date()
    date_to = Date()
    has_missed = fields.Boolean(metadata={"description": "finished with places missed"})
    hazard_id = fields.String(
        validate=ID, metadata={"description": "the patrol whose finding opened this hazard"}
    )
