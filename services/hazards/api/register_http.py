"""HTTP helpers shared by the register blueprints: ETag / If-Match on versioned rows."""

from __future__ import annotations

from typing import Any

from flask import request

from shared.errors import DomainError


class BadPrecondition(DomainError):
    status = 400
    title = "Bad Request"


def if_match() -> int | None:
    """Parse If-Match: "3" / W/"3" (the version in our ETag); absent or * means no check."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise BadPrecondition('If-Match must be the ETag of the record, e.g. "3"')
    return int(value)


def with_etag(obj: Any, body: Any = None, status: int = 200) -> tuple[Any, int, dict[str, str]]:
    """Send the row (or a view of it) with its version as ETag, for a later If-Match."""
    return (obj if body is None else body), status, {"ETag": f'"{obj.version}"'}
