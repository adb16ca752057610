"""Validation messages in Chinese: the one home of marshmallow's words in this suite.

Every ``invalid_params[].reason`` a service sends is read by a person in the console, so
marshmallow's defaults ("Missing data for required field.", "Not a valid date.",
"Unknown field.", "Length must be between 1 and 50.") are replaced here, once, for every
schema of every service, instead of ``error_messages=`` on each field.

Marshmallow copies a field's defaults when the field is made (at the import of a schema
module) and a validator's message when the validator is made, so ``install`` must run
before any schema is defined: ``shared/__init__.py`` runs it, and every service module
reaches marshmallow through ``shared``. The unit test ``test_problem_language`` checks
every declared field of every schema the services define.
"""

from __future__ import annotations

import re

from marshmallow import Schema, fields, validate

CHINESE = re.compile(r"[\u3400-\u9fff]")

FIELD_MESSAGES: dict[type, dict[str, str]] = {
    fields.Field: {
        "required": "必填，不能缺少。",
        "null": "不能为空，请填写。",
        "validator_failed": "取值无效。",
    },
    fields.Nested: {"type": "须为一个对象（{…}）。"},
    fields.List: {"invalid": "须为一个列表（[…]）。"},
    fields.Tuple: {"invalid": "须为一个列表（[…]）。"},
    fields.String: {"invalid": "须为文字。", "invalid_utf8": "不是有效的 UTF-8 文字。"},
    fields.UUID: {"invalid_uuid": "不是有效的编号（UUID）。"},
    fields.Number: {"invalid": "须为数字。", "too_large": "数字太大。"},
    fields.Integer: {"invalid": "须为整数。"},
    fields.Decimal: {"special": "不接受 NaN 或无穷大。"},
    fields.Float: {"special": "不接受 NaN 或无穷大。"},
    fields.Boolean: {"invalid": "须为 true 或 false。"},
    fields._TemporalField: {
        "invalid": "不是有效的日期或时间。",
        "invalid_awareness": "时间须带时区（如 2024-05-01T09:00:00+08:00）。",
        "format": "无法按日期或时间格式输出：{input}。",
    },
    fields.DateTime: {"invalid": "不是有效的时间（如 2024-05-01T09:00:00+08:00）。"},
    fields.NaiveDateTime: {"invalid_awareness": "时间不能带时区（如 2024-05-01T09:00:00）。"},
    fields.Date: {
        "invalid": "不是有效的日期（格式：2024-05-01）。",
        "format": "无法按日期格式输出：{input}。",
    },
    fields.Time: {"invalid": "不是有效的时刻（格式：09:00:00）。"},
    fields.TimeDelta: {
        "invalid": "不是有效的时长。",
        "format": "无法按时长格式输出：{input!r}。",
    },
    fields.Mapping: {"invalid": "须为一个对象（{…}）。"},
    fields.Url: {"invalid": "不是有效的网址。"},
    fields.Email: {"invalid": "不是有效的电子邮箱地址。"},
    fields.IP: {"invalid_ip": "不是有效的 IP 地址。"},
    fields.IPv4: {"invalid_ip": "不是有效的 IPv4 地址。"},
    fields.IPv6: {"invalid_ip": "不是有效的 IPv6 地址。"},
    fields.IPInterface: {"invalid_ip_interface": "不是有效的 IP 网段。"},
    fields.IPv4Interface: {"invalid_ip_interface": "不是有效的 IPv4 网段。"},
    fields.IPv6Interface: {"invalid_ip_interface": "不是有效的 IPv6 网段。"},
    fields.Enum: {"unknown": "须为以下之一：{choices}。"},
}

SCHEMA_MESSAGES = {"type": "须为一个对象（{…}）。", "unknown": "不接受此字段。"}

# Validators: class attributes read when a validator is made or called.
VALIDATOR_MESSAGES: dict[type, dict[str, str]] = {
    validate.URL: {"default_message": "不是有效的网址。"},
    validate.Email: {"default_message": "不是有效的电子邮箱地址。"},
    validate.Range: {
        "message_min": "须{min_op} {{min}}。",
        "message_max": "须{max_op} {{max}}。",
        "message_all": "须{min_op} {{min}}，且{max_op} {{max}}。",
        "message_gte": "大于或等于",
        "message_gt": "大于",
        "message_lte": "小于或等于",
        "message_lt": "小于",
    },
    validate.Length: {
        "message_min": "太短：至少须有 {min} 个字符（或项）。",
        "message_max": "太长：最多 {max} 个字符（或项）。",
        "message_all": "长度须在 {min} 到 {max} 个字符（或项）之间。",
        "message_equal": "长度须为 {equal} 个字符（或项）。",
    },
    validate.Equal: {"default_message": "须等于 {other}。"},
    validate.Regexp: {"default_message": "格式不符合要求。"},
    validate.Predicate: {"default_message": "取值无效。"},
    validate.NoneOf: {"default_message": "取值无效。"},
    validate.OneOf: {"default_message": "须为以下之一：{choices}。"},
    validate.ContainsOnly: {"default_message": "含有不允许的选项，可选：{choices}。"},
    validate.ContainsNoneOf: {"default_message": "含有不允许的选项：{values}。"},
}

# webargs: a validator that returned False without a message of its own.
DEFAULT_VALIDATION_MESSAGE = "取值无效。"


def install() -> None:
    """Put the Chinese words in marshmallow's classes (idempotent)."""
    for cls, messages in FIELD_MESSAGES.items():
        cls.default_error_messages = {**cls.__dict__.get("default_error_messages", {}), **messages}
    Schema._default_error_messages = {**Schema._default_error_messages, **SCHEMA_MESSAGES}
    for cls, attributes in VALIDATOR_MESSAGES.items():
        for name, text in attributes.items():
            setattr(cls, name, text)


def is_chinese(text: str | None) -> bool:
    """Whether a person reading ``text`` reads Chinese (at least one CJK character)."""
    return bool(text and CHINESE.search(text))
