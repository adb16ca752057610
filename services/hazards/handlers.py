"""Events the hazard ledger consumes (grid and education events arrive in later issues)."""

from __future__ import annotations

from shared.events.consumer import Handler

EVENT_HANDLERS: dict[str, Handler] = {}
