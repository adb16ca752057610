"""The SMTP listener (aiosmtpd) the reporting worker runs when ``CAMPUS_MAIL_INTAKE`` is
set: its address, its size limit, and the handler that runs ``MailIntake`` off the SMTP
event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from services.reporting.mail_intake.processing import MailIntake
from shared.config import ConfigError, Settings
from shared.db import make_engine, make_session_factory
from shared.timeutil import utcnow

log = logging.getLogger("campus.mail_intake")


def listen_address(value: str) -> tuple[str, int]:
    """``CAMPUS_MAIL_INTAKE``: ``host:port`` (``[::1]:2525`` for IPv6)."""
    host, sep, port = value.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"CAMPUS_MAIL_INTAKE must be host:port, got {value!r}")
    return host, int(port)


def mail_size_limit(settings: Settings) -> int:
    """The SMTP SIZE limit: base64 makes an attachment about 4/3 larger, plus the text."""
    return settings.upload_max_bytes * 2


class IntakeHandler:
    """aiosmtpd handler: the database work runs in a thread, off the SMTP event loop."""

    def __init__(self, intake: MailIntake) -> None:
        self.intake = intake

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd)
        arrival = self.intake.clock()
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(
                None, self.intake.receive, envelope.mail_from, raw, arrival
            )
        except Exception:
            log.exception("mail from %s could not be processed; asked to retry", envelope.mail_from)
            return "451 4.3.0 Temporary failure, please try again later"
        log.info("mail from %s: %s %s", envelope.mail_from, outcome.status, outcome.reason or "")
        return f"250 2.0.0 {outcome.status}"


def start(
    factory: sessionmaker[Session],
    settings: Settings,
    host: str,
    port: int,
    clock: Callable[[], datetime] = utcnow,
):
    """Start the listener in its own thread (aiosmtpd Controller); ``.stop()`` ends it."""
    from aiosmtpd.controller import Controller

    controller = Controller(
        IntakeHandler(MailIntake(factory, settings, clock)),
        hostname=host,
        port=port,
        data_size_limit=mail_size_limit(settings),
    )
    controller.start()
    log.info("mail intake listening on %s:%s", host, port)
    return controller


class Listener:
    """The worker's listener: its own engine, started when ``CAMPUS_MAIL_INTAKE`` is set."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] = utcnow) -> None:
        self.host, self.port = listen_address(settings.mail_intake or "")
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: every command
        self.engine = make_engine(settings.database_url)
        factory = make_session_factory(self.engine)
        try:
            self.controller = start(factory, settings, self.host, self.port, clock)
        except BaseException:
            self.engine.dispose()
            raise

    def stop(self) -> None:
        self.controller.stop()
        self.engine.dispose()


def start_from_settings(
    settings: Settings, clock: Callable[[], datetime] = utcnow
) -> Listener | None:
    """The listener of ``CAMPUS_MAIL_INTAKE``, started; None when it is not set."""
    return Listener(settings, clock) if settings.mail_intake else None
