"""A service's event handlers for tests, built the way its worker builds them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.registry import make_handlers
from shared.config import Settings, load_settings
from shared.events.consumer import Handler


def handlers_of(
    service: str, settings: Settings | None = None, **overrides: Any
) -> Mapping[str, Handler]:
    """``service``'s handlers given ``settings`` (a test app's: ``state().settings``), else
    the settings its worker would load from the environment, with ``overrides``."""
    return make_handlers(service, settings or load_settings(service, overrides or None))
