"""The province installation (省级汇总, issue 19): every college's frozen tables, figures,
submission board and major hazards, received over RabbitMQ federation from the colleges'
``province.out`` exchanges into its own ``province.in``; its own database, inbox and API.

A small service of its own, not a mode of reporting: it shares no table, rule or event with
a college's services, only the province catalogue (``shared.events.province``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

SERVICE = "province"
PORT = 5005


def create_app(config: dict | None = None) -> Flask:
    from services.province.api import BLUEPRINTS
    from services.province.auth_api import blp as auth_blp
    from shared.api import create_service_app

    return create_service_app(SERVICE, "校安 Province 省级汇总", [auth_blp, *BLUEPRINTS], config)
