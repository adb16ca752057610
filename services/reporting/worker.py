"""Worker of the reporting service: outbox relay + event consumer + periodic tasks, and
the mail intake (services.reporting.mail_intake) when CAMPUS_MAIL_INTAKE is set."""

from __future__ import annotations

import sys

from services.registry import worker_main


def main(argv: list[str] | None = None) -> None:
    from services.reporting import mail_intake
    from shared.config import load_settings
    from shared.observability import configure_logging

    argv = sys.argv[1:] if argv is None else argv
    settings = load_settings("reporting")
    configure_logging(settings.log_json)
    # A split worker (--relay-only / --consumer-only, used by tests and benchmarks) runs
    # only its half; the listener belongs with the periodic tasks of the full worker.
    split = "--relay-only" in argv or "--consumer-only" in argv
    listener = None if split else mail_intake.start_from_settings(settings)
    try:
        worker_main("reporting", argv, settings)
    finally:
        if listener is not None:
            listener.stop()


if __name__ == "__main__":
    main()
