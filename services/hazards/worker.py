"""Worker of the hazard ledger: outbox relay + event consumer + periodic sweeps, and the
export thread that writes the ledger exports too large for a web request
(``services.hazards.export_jobs``)."""

from __future__ import annotations

import sys
import threading

from services.registry import worker_main

SPLIT_FLAGS = ("--relay-only", "--consumer-only")  # a split worker (tests) writes no exports


def _start_exporter(stop: threading.Event):
    """The export thread, with its own settings and database connections."""
    from services.hazards.export_jobs.commands import run_forever
    from shared.config import load_settings
    from shared.db import make_engine, make_session_factory

    settings = load_settings("hazards")
    factory = make_session_factory(make_engine(settings.database_url))
    thread = threading.Thread(
        target=run_forever, args=(factory, settings, stop), name="exports", daemon=True
    )
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    stop = threading.Event()
    exporter = None if set(args) & set(SPLIT_FLAGS) else _start_exporter(stop)
    try:
        worker_main("hazards", argv)
    finally:
        stop.set()  # an export cut short is taken up again by the next worker
        if exporter is not None:
            exporter.join(timeout=5)


if __name__ == "__main__":
    main()
