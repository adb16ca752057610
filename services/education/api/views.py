"""Helpers the education blueprints share: campus dates, public URLs, the sign-in URL."""

from __future__ import annotations

import os
from datetime import date

from flask import request

from services.education.models import Activity
from shared.api import state
from shared.timeutil import campus_today


def campus_tz() -> str:
    return state().settings.campus_timezone


def today() -> date:
    return campus_today(campus_tz())


def public_base_url() -> str:
    """Where phones reach this service: ``public_base_url`` in the app config, else
    CAMPUS_EDUCATION_URL, else the URL of the current request."""
    configured = state().settings.extra.get("public_base_url") or os.environ.get(
        "CAMPUS_EDUCATION_URL"
    )
    return (configured or request.url_root).rstrip("/")


def sign_in_url(activity: Activity) -> str:
    """What the sign-in QR code encodes: the web console's check-in page (CAMPUS_PUBLIC_URL)
    with the activity's code, where a phone signs in and checks in."""
    console = state().settings.public_url.rstrip("/")
    return f"{console}/education/activities/{activity.id}/check-in?code={activity.sign_in_code}"
