"""Per-request context that code below the web layer may read (request id, actor)."""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
actor: ContextVar[str | None] = ContextVar("actor", default=None)
