"""Education and drill scheduling service (安全教育与演练)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the package stays light: a worker imports its neighbours' subscriptions
    from flask import Flask

SERVICE = "education"


def create_app(config: dict | None = None) -> Flask:
    from services.education.api import BLUEPRINTS
    from shared.api import create_service_app

    return create_service_app(SERVICE, "校安 Education 安全教育与演练", BLUEPRINTS, config)
