"""Grid management service (网格管理): units, people, grid cells, assignments, rosters."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the package stays light: a worker imports its neighbours' subscriptions
    from flask import Flask

SERVICE = "grid"


def create_app(config: dict | None = None) -> Flask:
    from services.grid.api import BLUEPRINTS
    from shared.api import create_service_app

    return create_service_app(SERVICE, "校安 Grid 网格管理", BLUEPRINTS, config)
