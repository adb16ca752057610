"""The province catalogue (省级目录): what a college may tell the province, and nothing else.

A college's internal events (``shared.events.catalog``) never leave its broker. What goes up
is announced as events of their own, ``province.*``, each versioned and validated strictly
(unknown fields refused) on both sides, so a field with personal data cannot slip in by
accident: the schemas name counts, dates, categories, place names and unit names only.

Every message travels in the usual envelope (``shared.events.envelope``) and names its
college twice: ``campus_id`` in the data, and the AMQP ``user_id`` property, which RabbitMQ
validates against the publishing connection's user. The province accepts a message only
when both agree (``services.province.ingest``).
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from shared.installation import PATTERN

# The campus's exchange the province's federation link pulls from, and the province's.
OUT_EXCHANGE = "province.out"
IN_EXCHANGE = "province.in"
CAMPUS_ID = validate.Regexp(PATTERN)  # the installation's id (shared.installation)
FIGURE_NAME = validate.Regexp(r"^[a-z_]{1,40}$")
HAZARD_STAGES = (
    "discovered",
    "registered",
    "reported",
    "in_remediation",
    "rectified",
    "accepted",
    "closed",
    "archived",
)


class UnknownProvinceMessage(ValidationError):
    pass


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _figures() -> fields.Dict:
    """Named numbers only (found, closed_in_period, cumulative_rate …): no text can hide."""
    return fields.Dict(
        keys=fields.String(validate=FIGURE_NAME),
        values=fields.Float(allow_none=True, allow_nan=False),
        required=True,
    )


class TableRowV1(_Strict):
    key = fields.String(required=True, validate=validate.Length(min=1, max=32))  # category
    figures = _figures()


class TableSubmittedV1(_Strict):
    """统计表: the college's frozen table for a due date (its units' tables added up),
    sent once, when its last unit submitted."""

    campus_id = fields.String(required=True, validate=CAMPUS_ID)
    campaign = fields.String(required=True, validate=validate.Length(min=1, max=64))
    due_on = fields.Date(required=True)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    submitted_at = fields.AwareDateTime(required=True)
    late = fields.Boolean(required=True)
    rows = fields.List(fields.Nested(TableRowV1), required=True)
    totals = _figures()


class FiguresV1(_Strict):
    """The college's figures for a period and since the campaign's start (college level)."""

    campus_id = fields.String(required=True, validate=CAMPUS_ID)
    campaign = fields.String(required=True, validate=validate.Length(min=1, max=64))
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    as_of = fields.AwareDateTime(required=True)
    figures = _figures()


class BoardDueV1(_Strict):
    due_on = fields.Date(required=True)
    units = fields.Integer(required=True, validate=validate.Range(min=0))
    submitted = fields.Integer(required=True, validate=validate.Range(min=0))
    late = fields.Integer(required=True, validate=validate.Range(min=0))
    missing = fields.Integer(required=True, validate=validate.Range(min=0))


class BoardV1(_Strict):
    """报送情况: per due date, how many of the college's units submitted, late, not at all."""

    campus_id = fields.String(required=True, validate=CAMPUS_ID)
    campaign = fields.String(required=True, validate=validate.Length(min=1, max=64))
    as_of = fields.AwareDateTime(required=True)
    dues = fields.List(fields.Nested(BoardDueV1), required=True)


class MajorHazardV1(_Strict):
    """重大隐患: number, category, place, dates, stage and the responsible unit — no person."""

    campus_id = fields.String(required=True, validate=CAMPUS_ID)
    number = fields.String(required=True, validate=validate.Length(min=1, max=32))
    category = fields.String(required=True, validate=validate.Length(min=1, max=32))
    place = fields.String(required=True, allow_none=True, validate=validate.Length(max=100))
    responsible_unit = fields.String(required=True, validate=validate.Length(min=1, max=64))
    found_on = fields.Date(required=True)
    deadline = fields.Date(required=True, allow_none=True)
    closed_on = fields.Date(required=True, allow_none=True)
    stage = fields.String(required=True, validate=validate.OneOf(HAZARD_STAGES))


class IncidentsV1(_Strict):
    """安全事故: counts only."""

    campus_id = fields.String(required=True, validate=CAMPUS_ID)
    as_of = fields.AwareDateTime(required=True)
    total = fields.Integer(required=True, validate=validate.Range(min=0))
    major = fields.Integer(required=True, validate=validate.Range(min=0))
    deaths = fields.Integer(required=True, validate=validate.Range(min=0))
    injuries = fields.Integer(required=True, validate=validate.Range(min=0))


CATALOG: dict[tuple[str, int], type[Schema]] = {
    ("province.table_submitted", 1): TableSubmittedV1,
    ("province.figures", 1): FiguresV1,
    ("province.board", 1): BoardV1,
    ("province.major_hazard", 1): MajorHazardV1,
    ("province.incidents", 1): IncidentsV1,
}
_INSTANCES: dict[tuple[str, int], Schema] = {key: cls() for key, cls in CATALOG.items()}


def message_types() -> set[str]:
    return {message_type for message_type, _ in CATALOG}


def _schema(message_type: str, version: int) -> Schema:
    schema = _INSTANCES.get((message_type, version))
    if schema is None:
        raise UnknownProvinceMessage(f"no province schema for {message_type} v{version}")
    return schema


def validate_data(message_type: str, version: int, data: Any) -> dict[str, Any]:
    """``data`` if it matches the catalogued schema, else ValidationError."""
    if not isinstance(data, dict):
        raise ValidationError("data is not an object")
    errors = _schema(message_type, version).validate(data)
    if errors:
        raise ValidationError(errors)
    return data


def load_data(message_type: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
    """Validated ``data`` as Python values (dates, datetimes)."""
    return _schema(message_type, version).load(data)


def serialize_data(message_type: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
    """Python values (dates, datetimes) dumped to JSON form, then validated."""
    return validate_data(message_type, version, _schema(message_type, version).dump(data))
