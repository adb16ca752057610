"""Events this service consumes (none yet: added with its own issue)."""

from __future__ import annotations

from shared.config import Settings
from shared.events.consumer import Handler


def make_handlers(settings: Settings) -> dict[str, Handler]:
    """The grid consumes nothing (services.grid.subscriptions)."""
    return {}
