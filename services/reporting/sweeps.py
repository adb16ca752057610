"""Periodic work of the reporting worker: due-date flags and reminders, then e-mail and the
group robots (WeCom, DingTalk)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from services.reporting import commands, notifications, robots, work
from shared.config import Settings
from shared.db import unit_of_work
from shared.timeutil import utcnow


def run_sweep(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    with unit_of_work(factory) as session:
        return commands.sweep(
            session,
            now or utcnow(),
            settings.campus_timezone,
            settings.reminder_days,
            settings.public_url,
        )


def send_mail(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    return notifications.send_pending(factory, settings, now)


def send_robots(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    return robots.send_pending(factory, settings, now)


def run_phase_sweep(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    """After each phase deadline: one flag per focus task and unit not completed in time."""
    with unit_of_work(factory) as session:
        return work.phase_sweep(session, now or utcnow(), settings.campus_timezone)


TASKS = [run_sweep, send_mail, send_robots]
TASKS.append(run_phase_sweep)


def run_letter_sweep(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    """After each campaign's phase-one deadline: one flag per head without a signed
    responsibility letter (安全责任书) for the year by then (issue 16)."""
    from services.reporting.letters.commands import letter_sweep

    with unit_of_work(factory) as session:
        return letter_sweep(session, now or utcnow(), settings.campus_timezone)


TASKS.append(run_letter_sweep)
