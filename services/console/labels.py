"""The services' words for their codes, as each one serves them (``GET /labels``).

Each service's domain is the one home of its labels (the hazard ledger's stages, severities,
history entries and categories; reporting's flag rules, statuses and phase work; the grid's
roles): the console shows what they send and keeps no copy. A service's labels are fetched
once per process, with the token of the person signed in when they are first needed. A
service that cannot answer leaves its codes shown as they are, and is asked again on the
next page (once per page, not per label).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g

from services.console import auth
from services.console.client import ServiceError, call

CACHE = "console_labels"  # app.extensions key: service -> its /labels answer


def served(service: str) -> dict[str, Any]:
    """``service``'s whole ``/labels`` answer ({} while it cannot be had)."""
    cache: dict[str, dict[str, Any]] = current_app.extensions.setdefault(CACHE, {})
    if service in cache:
        return cache[service]
    failed: set[str] = g.setdefault("labels_failed", set())
    if service in failed:
        return {}
    try:
        answer = call(service, "GET", "/labels", token=auth.token()).json()
    except ServiceError as exc:
        current_app.logger.warning("labels of %s not available: %s", service, exc)
        failed.add(service)
        return {}
    cache[service] = answer if isinstance(answer, dict) else {}
    return cache[service]


def labels(service: str, name: str) -> dict[str, str]:
    """One vocabulary of ``service`` (e.g. hazards' ``stages``): code -> label, in the
    service's order."""
    return {item["code"]: item["label"] for item in served(service).get(name) or []}


def codes(service: str, name: str) -> tuple[str, ...]:
    """A list of codes ``service`` sends (e.g. reporting's ``work_standing``)."""
    return tuple(served(service).get(name) or ())


def label(service: str, name: str, code: Any) -> str:
    """The word for ``code``, or the code itself when the service has none to offer."""
    return labels(service, name).get(str(code), str(code))


def hazard_labels(name: str) -> dict[str, str]:
    return labels("hazards", name)


def reporting_labels(name: str) -> dict[str, str]:
    return labels("reporting", name)
