"""Web console (校安 工作台): Chinese pages for the security office, the units and the grid
staff, built on the four services' HTTP APIs with the signed-in person's token.

It owns no domain rule and no database: sign-in is the grid service's /auth/login, every
page is read from the services, every action is the services' own endpoint. Its only
state is the session cookie (signed, HttpOnly, SameSite=Lax) holding the person's token.
"""

from __future__ import annotations

from flask import Flask

SERVICE = "console"


def create_app(config: dict | None = None) -> Flask:
    from services.console.app import build_app

    return build_app(config)
