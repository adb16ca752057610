"""Reporting and accountability service (统计报表与问责)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the package stays light: a worker imports its neighbours' subscriptions
    from flask import Flask

SERVICE = "reporting"


def create_app(config: dict | None = None) -> Flask:
    from services.reporting.api import BLUEPRINTS
    from services.reporting.province.link import province_link
    from shared.api import create_service_app

    app = create_service_app(SERVICE, "校安 Reporting 统计报表与问责", BLUEPRINTS, config)
    province_link(app.extensions["campus"].settings)  # a wrong province link stops start-up
    return app
