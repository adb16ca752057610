"""The composition root: which services exist, their ports, their web apps, and their
workers — each built from Settings loaded once at start-up and passed in.

The topology every worker declares comes from the services' subscription data
(``services.<name>.subscriptions``, data only), so a worker imports only its own
service's code."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from shared.config import Settings
    from shared.events.consumer import Handler

SERVICES = ("grid", "hazards", "education", "reporting")
PORTS = {"grid": 5001, "hazards": 5002, "education": 5003, "reporting": 5004}
# The web console (services.console): a web app only, no database, no worker, no events;
# it calls the four services over HTTP with the signed-in person's token.
CONSOLE = "console"
CONSOLE_PORT = 5000


def subscriptions() -> dict[str, list[str]]:
    """Event types each service's queue is bound to (used to declare the topology)."""
    return {
        service: sorted(importlib.import_module(f"services.{service}.subscriptions").EVENT_TYPES)
        for service in SERVICES
    }


def make_handlers(service: str, settings: Settings) -> Mapping[str, Handler]:
    """``service``'s event handlers, given what they need from its ``settings``."""
    return importlib.import_module(f"services.{service}.handlers").make_handlers(settings)


def periodic_tasks(service: str) -> list:
    """``services.<name>.sweeps.TASKS``: functions(factory, settings) the worker runs."""
    try:
        module = importlib.import_module(f"services.{service}.sweeps")
    except ModuleNotFoundError as exc:
        if exc.name != f"services.{service}.sweeps":
            raise
        return []
    return list(module.TASKS)


def create_app(service: str, config: dict | None = None) -> Flask:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; choose from {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{service}").create_app(config)


def worker_main(
    service: str, argv: list[str] | None = None, settings: Settings | None = None
) -> None:
    """Run ``service``'s worker: ``--relay-only`` / ``--consumer-only`` split it for tests.
    ``settings``: already loaded by the caller (else loaded here, once)."""
    import argparse

    from shared.config import load_settings
    from shared.observability import configure_logging
    from shared.worker import run_worker

    parser = argparse.ArgumentParser(prog=f"{service}-worker")
    parser.add_argument("--relay-only", action="store_true")
    parser.add_argument("--consumer-only", action="store_true")
    args = parser.parse_args(argv)
    if settings is None:
        settings = load_settings(service)
        configure_logging(settings.log_json)
    split = args.relay_only or args.consumer_only
    run_worker(
        settings,
        make_handlers(service, settings),
        subscriptions(),
        relay=not args.consumer_only,
        consumer=not args.relay_only,
        periodic=[] if split else periodic_tasks(service),
    )
