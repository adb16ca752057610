"""The event pipeline while the demo is seeded: each service's outbox relay and consumer,
built exactly as its worker builds them (``shared.worker``), run in this process.

The seed needs a phase's events applied before the next phase (hazards are reported at
places the hazard ledger knows from the grid's events), and `campus-safety seed-demo`
may run while no worker does. Events still travel outbox → RabbitMQ → consumer → inbox;
workers running at the same time share the queues, and the inbox skips what one of them
already applied. Stopping leaves nothing behind: unacked messages return to their queue
and unsent outbox rows wait for the workers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Engine

from services.registry import SERVICES, make_handlers, subscriptions
from shared.config import Settings
from shared.db import make_engine, make_session_factory
from shared.worker import _threads as worker_threads

WAIT_SECONDS = 120.0  # a phase's events, from outbox to every projection


class EventsStuck(RuntimeError):
    """A phase's events did not reach their consumers in time (broker or worker trouble)."""


class EventPump:
    """``with EventPump(settings_of): …`` runs every service's relay and consumer."""

    def __init__(self, settings_of: Callable[[str], Settings]) -> None:
        self._settings_of = settings_of
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._engines: list[Engine] = []

    def __enter__(self) -> EventPump:
        for service in SERVICES:
            settings = self._settings_of(service)
            engine = make_engine(settings.database_url)
            self._engines.append(engine)
            self._threads += worker_threads(
                settings,
                make_session_factory(engine),
                make_handlers(service, settings),
                subscriptions(),
                relay=True,
                periodic=(),
                stop=self._stop,
            )
        for thread in self._threads:
            thread.daemon = True  # never keeps the command alive; stop() joins them
            thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        for engine in self._engines:
            engine.dispose()


def wait_for(probe: Callable[[], bool], what: str, timeout: float = WAIT_SECONDS) -> None:
    """Poll ``probe`` until it holds; EventsStuck naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() >= deadline:
            raise EventsStuck(f"{what}：{timeout:.0f} 秒内未完成（请检查 RabbitMQ 是否正常运行）")
        time.sleep(0.1)
