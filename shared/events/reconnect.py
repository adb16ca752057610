"""Reconnect with backoff: the relay's and the consumer's outer loop.

The wait doubles after each failed attempt (0.5 s … 15 s) and starts over once a
connection has been established, so a broker that was fine for hours and then restarts
is retried at once, not after the ceiling reached during some earlier outage.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

FIRST_WAIT = 0.5
LONGEST_WAIT = 15.0


class Backoff:
    def __init__(self, first: float = FIRST_WAIT, longest: float = LONGEST_WAIT) -> None:
        self._first, self._longest = first, longest
        self.wait = first

    def connected(self) -> None:
        """Call when a connection is up: the next failure is retried quickly again."""
        self.wait = self._first

    def failed(self) -> float:
        """The wait before the next attempt; the one after it doubles."""
        wait, self.wait = self.wait, min(self.wait * 2, self._longest)
        return wait


def run_with_reconnect(
    log: logging.Logger,
    name: str,
    attempt: Callable[[threading.Event], None],
    stop: threading.Event,
    backoff: Backoff,
    before_connect: Callable[[], None] | None = None,
) -> None:
    """Call ``attempt(stop)`` (one connection's life) until ``stop`` is set; whatever ends
    it (broker gone, topology or database error) is logged and retried after a wait."""
    while not stop.is_set():
        try:
            if before_connect:
                before_connect()
            attempt(stop)
        except Exception as exc:
            log.warning("%s: connection lost (%s); retrying in %.1fs", name, exc, backoff.wait)
        if not stop.is_set():
            stop.wait(backoff.failed())
