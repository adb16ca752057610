"""Worker of the reporting service: outbox relay + event consumer + periodic tasks, the
mail intake (services.reporting.mail_intake) when CAMPUS_MAIL_INTAKE is set, and the
province publisher (services.reporting.province) when CAMPUS_PROVINCE_PUBLISH is on."""

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
    # What the province sees (issue 19) goes out beside the relay, when the link is on.
    province = None if "--consumer-only" in argv else province_publisher(settings)
    try:
        worker_main("reporting", argv, settings)
    finally:
        if listener is not None:
            listener.stop()
        if province is not None:
            province.set()


def province_publisher(settings):
    """Start the province publisher if CAMPUS_PROVINCE_PUBLISH is on; its stop event."""
    from services.reporting.province.link import province_link
    from services.reporting.province.publisher import start
    from shared.db import make_engine, make_session_factory

    link = province_link(settings)
    if link is None:
        return None
    _thread, stop = start(make_session_factory(make_engine(settings.database_url)), link)
    return stop


if __name__ == "__main__":
    main()
