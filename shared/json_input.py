"""Reading a JSON request body so that its shape cannot make a service fail.

Python's ``json`` answers a body nested a thousand deep with RecursionError, an integer
literal of thousands of digits with ValueError (its int max str digits), and takes
``NaN``, ``Infinity`` and lone UTF-16 surrogates (``"\\ud800"``) that neither JSON
(RFC 8259) nor a database text column can hold: each was a 500 on every JSON endpoint.
``loads`` refuses the first three as ``JSONRefused`` (a 400 for the whole body);
``bad_text`` names each string (or key) holding NUL or a lone surrogate, which the web
layer (``shared.api``) refuses with a 422 naming the field. Pure: standard library only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

MAX_DEPTH = 32  # no request body of the suite nests more than a few levels
MAX_INT_DIGITS = 100  # far past any id, count or year; far below Python's 4,300
BODY = "(body)"

DEPTH_REASON = f"JSON 嵌套过深（最多 {MAX_DEPTH} 层）"
INT_REASON = f"整数过长（最多 {MAX_INT_DIGITS} 位数字）"
CONSTANT_REASON = "含有 JSON 不允许的数值（NaN、Infinity）"
NUL_REASON = "不能包含 NUL 字符（U+0000）"
SURROGATE_REASON = "含有无法保存的字符（单独的 UTF-16 代理码位，如 \\ud800）"

_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONRefused(ValueError):
    """A body that is not JSON, or JSON the suite does not take; ``reason`` is Chinese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        raise JSONRefused(INT_REASON)
    return int(literal)


def _constant(name: str) -> float:
    raise JSONRefused(f"{CONSTANT_REASON}：{name}")


def loads(document: str | bytes | bytearray) -> Any:
    """The parsed document, or ``JSONRefused`` (malformed, too deep, a huge integer, NaN)."""
    try:
        value = json.loads(document, parse_int=_int, parse_constant=_constant)
    except RecursionError:
        raise JSONRefused(DEPTH_REASON) from None
    except JSONRefused:
        raise
    except json.JSONDecodeError as exc:
        raise JSONRefused(f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）") from None
    except (ValueError, UnicodeDecodeError):
        raise JSONRefused("不是有效的 JSON（编码有误）") from None
    if _depth_over(value, MAX_DEPTH):
        raise JSONRefused(DEPTH_REASON)
    return value


def _depth_over(value: Any, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit`` (iterative: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return False


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (NUL, a lone surrogate), or None."""
    if "\x00" in text:
        return NUL_REASON
    if _SURROGATE.search(text):
        return SURROGATE_REASON
    return None


def printable_name(name: str) -> str:
    """A member name that can itself be shown and encoded (NUL and surrogates escaped)."""
    name = name.replace("\x00", "\\0")
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", name)


def bad_text(value: Any) -> Iterator[tuple[str, str]]:
    """(dotted name, reason) of every string or key of a document that cannot be stored."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            reason = text_problem(node)
            if reason:
                yield printable_name(path) or BODY, reason
        elif isinstance(node, dict):
            for key, item in node.items():
                name = f"{path}.{key}" if path else str(key)
                reason = text_problem(str(key))
                if reason:
                    yield printable_name(name), reason
                else:
                    stack.append((item, name))
        elif isinstance(node, list):
            stack.extend(
                (item, f"{path}.{index}" if path else str(index)) for index, item in enumerate(node)
            )
