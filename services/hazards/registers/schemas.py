"""What the registers' schemas share: field validators and the fields that give the
Chinese label of a stored code."""

from __future__ import annotations

from marshmallow import fields, validate

from shared.vocabulary import CATEGORIES, category_label

UNIT_CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$", error="单位编码只能由字母、数字、_ 和 - 组成")
ID = validate.Length(min=1, max=36)
NAME = validate.Length(min=1, max=100)
PERSON = validate.Length(min=1, max=50)
TEXT = validate.Length(min=1, max=4000)
NOTE = validate.Length(max=500)
CATEGORY = validate.OneOf(list(CATEGORIES))


def _value(obj, attr: str):
    """Views are model objects or dicts (when the API adds computed fields)."""
    return obj[attr] if isinstance(obj, dict) else getattr(obj, attr)


def label_field(mapping: dict, enum: type, attr: str) -> fields.Function:
    """A Function field giving the Chinese label of an enum-valued attribute or key."""

    def get(obj):
        value = _value(obj, attr)
        return mapping.get(enum(value)) if value is not None else None

    return fields.Function(get)


def category_label_field() -> fields.Function:
    return fields.Function(lambda obj: category_label(_value(obj, "category")))
