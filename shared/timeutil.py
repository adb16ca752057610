"""Campus calendar: deadlines and "on date D" questions use the campus time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.db import utcnow


def campus_today(tz: str, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(tz)).date()


def campus_time(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))
