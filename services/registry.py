"""The composition root: which services exist and which events each one consumes."""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from shared.events.consumer import Handler

SERVICES = ("grid", "hazards", "education", "reporting")
PORTS = {"grid": 5001, "hazards": 5002, "education": 5003, "reporting": 5004}
# The web console (services.console): a web app only, no database, no worker, no events;
# it calls the four services over HTTP with the signed-in person's token.
CONSOLE = "console"
CONSOLE_PORT = 5000


def handlers(service: str) -> Mapping[str, Handler]:
    return importlib.import_module(f"services.{service}.handlers").EVENT_HANDLERS


def periodic_tasks(service: str) -> list:
    """``services.<name>.sweeps.TASKS``: functions(factory, settings) the worker runs."""
    try:
        module = importlib.import_module(f"services.{service}.sweeps")
    except ModuleNotFoundError as exc:
        if exc.name != f"services.{service}.sweeps":
            raise
        return []
    return list(module.TASKS)


def subscriptions() -> dict[str, list[str]]:
    """Event types each service's queue is bound to (used to declare the topology)."""
    return {service: sorted(handlers(service)) for service in SERVICES}


def create_app(service: str, config: dict | None = None):
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; choose from {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{service}").create_app(config)


def worker_main(service: str, argv: list[str] | None = None) -> None:
    """Run ``service``'s worker: ``--relay-only`` / ``--consumer-only`` split it for tests."""
    import argparse

    from shared.config import load_settings
    from shared.observability import configure_logging
    from shared.worker import run_worker

    parser = argparse.ArgumentParser(prog=f"{service}-worker")
    parser.add_argument("--relay-only", action="store_true")
    parser.add_argument("--consumer-only", action="store_true")
    args = parser.parse_args(argv)
    settings = load_settings(service)
    configure_logging(settings.log_json)
    run_worker(
        settings,
        handlers(service),
        subscriptions(),
        relay=not args.consumer_only,
        consumer=not args.relay_only,
        periodic=[] if args.relay_only or args.consumer_only else periodic_tasks(service),
    )
