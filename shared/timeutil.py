"""Campus calendar: deadlines and "on date D" questions use the campus time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.errors import DomainError


def utcnow() -> datetime:
    """The clock every layer reads (UTC, timezone-aware)."""
    return datetime.now(UTC)


# The calendar the services accept (shared.fields refuses dates outside it): a campus date
# at either end of ISO's 0001…9999 cannot become an instant of the campus time zone.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)

CLOCK_SKEW = timedelta(minutes=5)  # a phone's or a portal's clock may run this much ahead


class FutureDate(DomainError):
    status = 422
    title = "Date in the future"


def check_not_future(moment: datetime, now: datetime, name: str = "found_at") -> None:
    """A finding (an inspection, a drill problem) time is a fact: it cannot lie in the
    future, beyond a few minutes of clock skew. 422 naming the field ``name``."""
    if moment > now + CLOCK_SKEW:
        raise FutureDate(
            f"{name} {moment.isoformat()} 晚于当前时间：发现的时间不能在将来",
            invalid_params=[{"name": name, "reason": "不能晚于当前时间", "location": "json"}],
        )


def campus_today(tz: str, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(tz)).date()


def campus_time(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))
