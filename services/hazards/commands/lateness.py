"""Lateness announced once per cause (周整改, 督导问责): by the sweep for every open hazard,
and by a step that would end a lateness before any sweep saw it (rectify, accept or
reject, an approved extension, plan approval, lowering a major hazard), first."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.hazards import domain
from services.hazards.commands.common import SYSTEM
from services.hazards.commands.events import approved_plan_deadline, record
from services.hazards.domain import MajorUnresolved, Status
from services.hazards.models import Hazard
from shared.timeutil import campus_time


def announce_lateness(
    session: Session, hazard: Hazard, now: datetime, policy: domain.Policy
) -> list[str]:
    """Announce what is late on ``hazard`` at ``now`` and was not announced yet, once per
    cause, each in its own event: the unit past its deadline (once per deadline), the
    acceptor past its due date (once per rectification round), a major hazard unresolved
    (悬而不决: without an approved plan in time once, past the approved plan's deadline
    once per plan deadline). Returns the announcements made (``overdue``, …).

    The one home of these announcements: the sweep calls it for every open hazard, and a
    step that would end a lateness calls it first, so lateness that ran between two
    sweeps is on record too."""
    today = campus_time(now, policy.campus_tz).date()
    made: list[str] = []
    for mark in (_unit_overdue, _acceptance_late, _major_unresolved):
        announcement = mark(hazard, now, today, policy)
        if announcement is not None:
            made.append(_announce(session, hazard, announcement, now))
    return made


# Each cause: marks the hazard announced and returns (event type, the history's comment),
# or None when there is nothing (new) to announce.
Announcement = tuple[str, str]


def _unit_overdue(
    hazard: Hazard, now: datetime, today: date, policy: domain.Policy
) -> Announcement | None:
    status = Status(hazard.status)
    if not domain.overdue_unannounced(status, hazard.deadline, hazard.overdue_notified_for, today):
        return None
    hazard.overdue_notified_for, hazard.overdue_notified_at = hazard.deadline, now
    return "hazard.overdue", f"逾期：限期 {hazard.deadline}"


def _acceptance_late(
    hazard: Hazard, now: datetime, today: date, policy: domain.Policy
) -> Announcement | None:
    if not domain.acceptance_late_unannounced(
        Status(hazard.status),
        hazard.acceptance_due,
        hazard.reopen_count,
        hazard.acceptance_notified_round,
        today,
    ):
        return None
    hazard.acceptance_notified_round = hazard.reopen_count
    hazard.acceptance_notified_at = now
    return (
        "hazard.acceptance_overdue",
        f"验收逾期：应于 {hazard.acceptance_due} 前验收（验收部门 {hazard.acceptor_unit}）",
    )


def _major_unresolved(
    hazard: Hazard, now: datetime, today: date, policy: domain.Policy
) -> Announcement | None:
    since = hazard.major_since and campus_time(hazard.major_since, policy.campus_tz).date()
    plan_deadline = approved_plan_deadline(hazard)
    reason = domain.major_unannounced(
        domain.major_unresolved(
            domain.Severity(hazard.severity),
            Status(hazard.status),
            since,
            plan_deadline,
            today,
            policy.major_plan_days,
        ),
        bool(hazard.major_no_plan_notified),
        plan_deadline,
        hazard.plan_overdue_notified_for,
    )
    if reason == MajorUnresolved.NO_PLAN:
        hazard.major_no_plan_notified = True
        days = policy.major_plan_days
        return (
            "hazard.major_unresolved",
            f"重大安全隐患悬而不决：登记后 {days} 天仍无经批准的整改计划",
        )
    if reason == MajorUnresolved.PLAN_OVERDUE:
        hazard.plan_overdue_notified_for = plan_deadline
        return "hazard.major_unresolved", f"重大安全隐患悬而不决：已过整改计划时限 {plan_deadline}"
    return None


def _announce(session: Session, hazard: Hazard, announcement: Announcement, now: datetime) -> str:
    """Record the announcement as the system's; returns its action (``overdue``, …)."""
    event_type, comment = announcement
    hazard.version += 1
    action = event_type.removeprefix("hazard.")
    record(
        session,
        hazard,
        event_type,
        SYSTEM,
        action=action,
        previous=hazard.status,
        comment=comment,
        at=now,
    )
    return action


def sweep(session: Session, now: datetime, policy: domain.Policy) -> dict[str, int]:
    """Announce, once per cause, what is late on every open hazard (``announce_lateness``).

    Takes the clock as a parameter; running it twice at the same time publishes nothing new.
    """
    counts = {"overdue": 0, "acceptance_overdue": 0, "major_unresolved": 0}
    open_hazards = session.scalars(
        select(Hazard)
        .where(Hazard.status.in_([s.value for s in domain.OPEN_STATUSES]))
        .order_by(Hazard.number)
        .with_for_update(skip_locked=True)
    )
    for hazard in open_hazards:
        for made in announce_lateness(session, hazard, now, policy):
            counts[made] += 1
    return counts
