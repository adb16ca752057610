"""Idempotency-Key: a portal that resends a create (timeout, lost answer) gets the first
result back instead of a second record. Shared by every endpoint that honours the header;
each service keeps the key beside what the first request created.

The key is scoped to the caller (two portals may pick the same key) and remembers a hash
of the request, so the same key with a different body is a 422, not a silent replay.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import request

from shared.errors import BadRequest, DomainError
from shared.principal import Principal

HEADER = "Idempotency-Key"
MAX_LENGTH = 100


class IdempotencyConflict(DomainError):
    status = 422
    title = "Idempotency-Key reused"

    def __init__(self) -> None:
        super().__init__("此 Idempotency-Key 已用于另一个不同的请求")


def requested_key() -> str | None:
    """The request's Idempotency-Key header, if any (400 when it is too long)."""
    key = request.headers.get(HEADER)
    if key is not None and len(key) > MAX_LENGTH:
        raise BadRequest(f"{HEADER} 不能超过 {MAX_LENGTH} 个字符")
    return key or None


def scoped_key(principal: Principal, key: str) -> str:
    return f"{principal.sub}:{key}"


def request_hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def check_same_request(remembered_hash: str, payload: Any) -> None:
    if remembered_hash != request_hash(payload):
        raise IdempotencyConflict()
