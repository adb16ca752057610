"""Scheduling checks shared by creating and changing an activity: a venue holds one
activity at a time (409), a target expected elsewhere at the same time is a warning."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from services.education import domain
from services.education.domain import Booking, Status
from services.education.models import Activity
from shared.timeutil import campus_time


@dataclass(frozen=True)
class ScheduleWarning:
    code: str
    detail: str
    unit_code: str
    class_name: str | None
    activity_id: str
    title: str
    starts_at: datetime
    ends_at: datetime


def _lock_venue(session: Session, venue_key: str | None) -> None:
    """Serialise bookings of one venue (PostgreSQL; SQLite's BEGIN IMMEDIATE already does),
    so two concurrent requests cannot both find the room free."""
    if venue_key is None or session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"venue:{venue_key}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _bookings(
    session: Session, starts_at: datetime, ends_at: datetime, exclude: str | None
) -> list[Booking]:
    stmt = select(Activity).where(
        Activity.status != Status.CANCELLED,
        Activity.starts_at < ends_at,
        Activity.ends_at > starts_at,
    )
    if exclude is not None:
        stmt = stmt.where(Activity.id != exclude)
    return [
        Booking(
            activity_id=a.id,
            title=a.title,
            venue_key=a.venue_key,
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            targets=frozenset((t.unit_code, t.class_name) for t in a.targets),
        )
        for a in session.scalars(stmt)
    ]


def check_schedule(
    session: Session,
    *,
    venue_key: str | None,
    starts_at: datetime,
    ends_at: datetime,
    targets: list[tuple[str, str | None]],
    exclude: str | None,
    tz: str,
) -> list[ScheduleWarning]:
    """Refuse a taken venue (ScheduleConflict naming the other activity); return a warning
    for each target that another activity expects at an overlapping time."""
    domain.check_times(starts_at, ends_at)
    _lock_venue(session, venue_key)
    others = _bookings(session, starts_at, ends_at, exclude)
    clash = domain.venue_clash(venue_key, starts_at, ends_at, others)
    if clash is not None:
        raise domain.ScheduleConflict(
            f"该场地在此时间已被「{clash.title}」（{clash.activity_id}）占用："
            f"{_campus(clash.starts_at, tz)} 至 {_campus(clash.ends_at, tz)}",
            conflicting_activity={
                "id": clash.activity_id,
                "title": clash.title,
                "starts_at": clash.starts_at.isoformat(),
                "ends_at": clash.ends_at.isoformat(),
            },
        )
    return [
        _double_booked(unit, class_name, other, tz)
        for (unit, class_name), other in domain.double_bookings(targets, starts_at, ends_at, others)
    ]


def _double_booked(unit: str, class_name: str | None, other: Booking, tz: str):
    who = f"{unit} {class_name}" if class_name else unit
    return ScheduleWarning(
        code="target_double_booked",
        detail=f"{who} 在同一时间还要参加「{other.title}」"
        f"（{_campus(other.starts_at, tz)}–{_campus(other.ends_at, tz)}）",
        unit_code=unit,
        class_name=class_name,
        activity_id=other.activity_id,
        title=other.title,
        starts_at=other.starts_at,
        ends_at=other.ends_at,
    )


def _campus(moment: datetime, tz: str) -> str:
    return campus_time(moment, tz).strftime("%Y-%m-%d %H:%M")


def target_pairs(targets: list[dict]) -> list[tuple[str, str | None]]:
    """(unit, class or None) of each target, duplicates dropped, order kept."""
    pairs = [(t["unit_code"], t.get("class_name") or None) for t in targets]
    return list(dict.fromkeys(pairs))


def clean_venue(venue: str | None) -> str | None:
    """A typed-in venue without surrounding blanks; blank means none."""
    return venue.strip() if venue and venue.strip() else None
