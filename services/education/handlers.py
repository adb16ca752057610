"""Events this service consumes (none yet: added with its own issue)."""

from __future__ import annotations

from shared.events.consumer import Handler

EVENT_HANDLERS: dict[str, Handler] = {}
