"""Scheduling an activity, changing, cancelling and holding it; each step is announced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.education import domain
from services.education.access import require_manager
from services.education.commands.attendance import checked_in_count
from services.education.commands.events import announce
from services.education.commands.lookups import (
    get_activity,
    require_plan_in_force,
    require_units,
)
from services.education.commands.scheduling import (
    ScheduleWarning,
    check_schedule,
    clean_venue,
    target_pairs,
)
from services.education.domain import Status
from services.education.models import Activity, ActivityTarget, Enrolment
from shared.errors import check_version
from shared.principal import Principal

Pairs = list[tuple[str, str | None]]


def create_activity(
    session: Session,
    principal: Principal,
    *,
    kind: str,
    title: str,
    organiser_unit: str,
    targets: list[dict],
    starts_at: datetime,
    ends_at: datetime,
    venue: str | None = None,
    theme: str | None = None,
    description: str | None = None,
    capacity: int | None = None,
    campus_tz: str = "Asia/Shanghai",
    plan_id: str | None = None,
) -> tuple[Activity, list[ScheduleWarning]]:
    """Schedule an activity: 409 if its venue is taken, warnings if a target is double-booked."""
    require_manager(principal, organiser_unit)
    pairs = target_pairs(targets)
    require_units(session, [organiser_unit], "organiser_unit")
    require_units(session, [u for u, _ in pairs], "targets")
    require_plan_in_force(session, plan_id)
    venue = clean_venue(venue)
    venue_key = domain.normalize_venue(venue)
    warnings = check_schedule(
        session,
        venue_key=venue_key,
        starts_at=starts_at,
        ends_at=ends_at,
        targets=pairs,
        exclude=None,
        tz=campus_tz,
    )
    activity = Activity(
        kind=kind,
        title=title,
        theme=theme,
        description=description,
        organiser_unit=organiser_unit,
        venue=venue,
        venue_key=venue_key,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        plan_id=plan_id,
        status=Status.PLANNED.value,
        sign_in_code=domain.new_sign_in_code(),
        version=0,
        created_by=principal.sub,
        targets=[ActivityTarget(unit_code=u, class_name=c) for u, c in pairs],
    )
    session.add(activity)
    session.flush()
    announce(session, activity, "activity.scheduled", principal)
    return activity, warnings


def update_activity(
    session: Session,
    principal: Principal,
    activity_id: str,
    changes: dict,
    *,
    if_match: int | None = None,
    campus_tz: str = "Asia/Shanghai",
) -> tuple[Activity, list[ScheduleWarning]]:
    """Change a planned activity (title, venue, times, targets, …); re-announced as scheduled."""
    activity = get_activity(session, principal, activity_id, lock=True)
    require_manager(principal, activity.organiser_unit)
    check_version(activity, if_match, "活动")
    domain.can_reschedule(activity.status)
    domain.check_plan(activity.kind, changes.get("plan_id"))
    require_plan_in_force(session, changes.get("plan_id"))
    changes = dict(changes)
    if "venue" in changes:
        changes["venue"] = clean_venue(changes["venue"])
    pairs = target_pairs(changes.pop("targets")) if "targets" in changes else None
    if pairs is not None:
        require_units(session, [u for u, _ in pairs], "targets")
    current_pairs = [(t.unit_code, t.class_name) for t in activity.targets]
    warnings = check_schedule(
        session,
        venue_key=domain.normalize_venue(changes.get("venue", activity.venue)),
        starts_at=changes.get("starts_at", activity.starts_at),
        ends_at=changes.get("ends_at", activity.ends_at),
        targets=pairs if pairs is not None else current_pairs,
        exclude=activity.id,
        tz=campus_tz,
    )
    if changes.get("capacity") is not None:
        _check_capacity(session, activity.id, changes["capacity"])
    if _apply(activity, changes, pairs, current_pairs):
        session.flush()
        announce(session, activity, "activity.scheduled", principal)
    return activity, warnings


def _check_capacity(session: Session, activity_id: str, capacity: int) -> None:
    """A capacity below the number already enrolled is refused."""
    enrolled = session.scalar(
        select(func.count()).select_from(Enrolment).where(Enrolment.activity_id == activity_id)
    )
    if enrolled and enrolled > capacity:
        raise domain.CapacityReached(
            f"已有 {enrolled} 人报名，人数上限不能低于此数",
            capacity=capacity,
            enrolled=enrolled,
        )


def _apply(activity: Activity, changes: dict, pairs: Pairs | None, current: Pairs) -> bool:
    """Write the changes (targets too, if given); True if anything differs."""
    changed = False
    for key, value in changes.items():
        if getattr(activity, key) != value:
            setattr(activity, key, value)
            changed = True
    activity.venue_key = domain.normalize_venue(activity.venue)
    if pairs is not None and pairs != current:
        activity.targets = [ActivityTarget(unit_code=u, class_name=c) for u, c in pairs]
        changed = True
    return changed


def cancel_activity(
    session: Session, principal: Principal, activity_id: str, reason: str
) -> Activity:
    activity = get_activity(session, principal, activity_id, lock=True)
    require_manager(principal, activity.organiser_unit)
    domain.can_cancel(activity.status)
    activity.status = Status.CANCELLED.value
    activity.cancel_reason = reason
    announce(session, activity, "activity.cancelled", principal)
    return activity


def mark_held(
    session: Session,
    principal: Principal,
    activity_id: str,
    *,
    now: datetime,
    participants: int | None = None,
) -> Activity:
    """The activity took place; participants default to the number checked in."""
    activity = get_activity(session, principal, activity_id, lock=True)
    require_manager(principal, activity.organiser_unit)
    domain.can_mark_held(activity.status, activity.starts_at, now)
    if participants is None:
        participants = checked_in_count(session, activity.id)
    activity.status = Status.HELD.value
    activity.participants = participants
    announce(session, activity, "activity.held", principal)
    return activity
