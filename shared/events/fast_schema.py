"""Marshmallow schemas compiled into plain checks, for the consumer's hot path.

marshmallow walks each field through its machinery (about 2 µs a field): for a hazard
event's 40 fields that was a fifth of the consumer's time. ``compile_schema`` reads a
schema's declared fields once and returns a function that checks a dict the same way
with a few comparisons each, calling the fields' own validators (Length, OneOf, Range,
Regexp …). The compiled check only ever says "valid" for data the schema accepts: it
answers False for anything it is not sure of (a wrong type, a missing key, a validator
that fails, a form of value marshmallow might read differently), and the caller then asks
marshmallow, whose verdict and Chinese-free error messages are what count. A schema with
a field type or a hook it does not know is not compiled (``None``): marshmallow it is.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

Check = Callable[[Any], bool]


def compile_schema(schema: Schema) -> Callable[[Mapping[str, Any]], bool] | None:
    """A check equivalent to ``not schema.validate(data)`` when it says True, or None
    when the schema has what the compiler does not handle."""
    if schema.unknown != RAISE or any(schema._hooks.values()):
        return None
    checks: dict[str, tuple[Check, bool]] = {}
    for name, field in schema.load_fields.items():
        if field.data_key not in (None, name):
            return None
        check = _compile_field(field)
        if check is None:
            return None
        checks[name] = (check, field.required)
    if set(schema.fields) != set(checks):  # dump-only fields: unknown on load
        return None
    required = frozenset(name for name, (_, needed) in checks.items() if needed)

    def valid(data: Mapping[str, Any]) -> bool:
        if type(data) is not dict or not required <= data.keys():
            return False
        for key, value in data.items():
            entry = checks.get(key)
            if entry is None or not entry[0](value):
                return False
        return True

    return valid


def _compile_field(field: fields.Field) -> Check | None:
    base = _base_check(field)
    if base is None:
        return None
    validators = tuple(field.validators)
    allow_none = field.allow_none
    if type(field) is fields.String:
        fast = _string_check(validators, allow_none)
        if fast is not None:
            return fast

    def check(value: Any) -> bool:
        if value is None:
            return allow_none  # marshmallow runs no validator on an allowed None
        parsed = base(value)
        if parsed is _INVALID:
            return False
        try:
            for validator in validators:
                if validator(parsed) is False:
                    return False
        except ValidationError:
            return False
        return True

    return check


_INVALID = object()


def _string_check(validators: tuple, allow_none: bool) -> Check | None:
    """A string field whose validators are a Length and/or a OneOf (most of them): the
    same tests inline, with no call per validator. None for other validators."""
    low, high, choices = 0, None, None
    for validator in validators:
        if type(validator) is validate.Length and validator.equal is None:
            low = max(low, validator.min or 0)
            high = validator.max if high is None else min(high, validator.max or high)
        elif type(validator) is validate.OneOf and all(type(c) is str for c in validator.choices):
            choices = frozenset(validator.choices) if choices is None else None
            if choices is None:
                return None  # two OneOfs: leave them to the general path
        else:
            return None

    def check(value: Any) -> bool:
        if type(value) is not str:
            return value is None and allow_none
        size = len(value)
        if size < low or (high is not None and size > high):
            return False
        return choices is None or value in choices

    return check


def _base_check(field: fields.Field) -> Callable[[Any], Any] | None:
    """A function from the wire's value to what marshmallow would hand the validators,
    or ``_INVALID``; None for a field type not handled."""
    kind = type(field)
    if kind is fields.String:
        return lambda value: value if type(value) is str else _INVALID
    if kind is fields.Integer and not field.strict:
        return lambda value: value if type(value) is int else _INVALID
    if kind is fields.Boolean:
        return lambda value: value if type(value) is bool else _INVALID
    if kind is fields.AwareDateTime and field.format in (None, "iso", "iso8601"):
        if field.default_timezone is not None:
            return None
        return _aware_moment
    if kind is fields.Date and field.format in (None, "iso", "iso8601"):
        return _iso_date
    if kind is fields.UUID:
        # The canonical form (what every producer writes) needs no parse, unless a
        # validator wants the UUID object.
        return _uuid if field.validators else _canonical_uuid
    if kind is fields.Dict and field.key_field is None and field.value_field is None:
        return lambda value: value if type(value) is dict else _INVALID
    if kind is fields.List:
        inner = _compile_field(field.inner)
        if inner is None:
            return None
        return lambda value: value if type(value) is list and all(map(inner, value)) else _INVALID
    return None


def _aware_moment(value: Any) -> Any:
    if type(value) is not str or not value:
        return _INVALID
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return _INVALID
    return moment if moment.utcoffset() is not None else _INVALID


def _iso_date(value: Any) -> Any:
    if type(value) is not str or not value:
        return _INVALID
    try:
        return date.fromisoformat(value)
    except ValueError:
        return _INVALID


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def canonical_uuid(value: str) -> bool:
    """``value`` is a UUID as ``str(uuid.UUID(value))`` writes it."""
    return _CANONICAL_UUID.fullmatch(value) is not None


def _canonical_uuid(value: Any) -> Any:
    if type(value) is str and _CANONICAL_UUID.fullmatch(value):
        return value
    return _uuid(value)


def _uuid(value: Any) -> Any:
    if type(value) is not str:
        return _INVALID
    try:
        return uuid.UUID(value)
    except ValueError:
        return _INVALID
