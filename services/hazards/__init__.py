"""Hazard ledger service (隐患台账): hazards and their closed-loop workflow."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the package stays light: a worker imports its neighbours' subscriptions
    from flask import Flask

SERVICE = "hazards"


def create_app(config: dict | None = None) -> Flask:
    from services.hazards.api import BLUEPRINTS
    from shared.api import create_service_app

    return create_service_app(SERVICE, "校安 Hazard ledger 隐患台账", BLUEPRINTS, config)
