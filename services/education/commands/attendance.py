"""Attendance: bulk enrolment, signing in with the room's code, attendance rates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.education import domain
from services.education.access import check_in_refs, require_enroller
from services.education.commands.events import SOURCE
from services.education.commands.lookups import get_activity, require_units
from services.education.domain import Status
from services.education.models import Activity, Enrolment
from shared.errors import DomainError, NotFound
from shared.events import record_event
from shared.principal import Principal
from shared.timeutil import campus_today


class NotEnrolled(DomainError):
    status = 409
    title = "Not enrolled"


def checked_in_count(session: Session, activity_id: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(Enrolment.activity_id == activity_id, Enrolment.checked_in_at.is_not(None))
        )
        or 0
    )


def enrol(
    session: Session, principal: Principal, activity_id: str, people: list[dict]
) -> dict[str, Any]:
    """Bulk enrolment. The organiser's manager (or the security office) enrols anyone; a
    target unit's manager enrols their own unit's people. Enrolling someone already
    enrolled changes nothing, so a roster can be sent again."""
    activity = get_activity(session, principal, activity_id, lock=True)
    if activity.status == Status.CANCELLED:
        raise domain.InvalidState("活动已取消，不能再报名")
    require_enroller(principal, activity, people)
    require_units(session, [p["unit_code"] for p in people], "people")
    existing = set(
        session.scalars(select(Enrolment.person_ref).where(Enrolment.activity_id == activity.id))
    )
    new: dict[str, dict] = {}
    for person in people:
        if person["person_ref"] not in existing:
            new.setdefault(person["person_ref"], person)
    if activity.capacity is not None and len(existing) + len(new) > activity.capacity:
        raise domain.CapacityReached(
            f"活动限 {activity.capacity} 人，已报名 {len(existing)} 人，"
            f"再报名 {len(new)} 人将超过人数上限",
            capacity=activity.capacity,
            enrolled=len(existing),
        )
    for person in new.values():
        session.add(
            Enrolment(
                activity_id=activity.id,
                person_ref=person["person_ref"],
                name=person["name"],
                unit_code=person["unit_code"],
                class_name=person.get("class_name"),
                enrolled_by=principal.sub,
            )
        )
    session.flush()
    return {
        "enrolled": len(new),
        "already_enrolled": len(people) - len(new),
        "total": len(existing) + len(new),
    }


def check_in(
    session: Session,
    principal: Principal,
    activity_id: str,
    *,
    code: str,
    person_ref: str | None,
    now: datetime,
    campus_tz: str,
) -> Enrolment:
    """Sign in with the activity's code: only inside its time window, once per person.

    Holding the code shown in the room is what the sign-in proves, for the person the token
    names (``access.check_in_refs``: a number naming someone else is refused); a kiosk names
    the person, and is recorded as the one who checked them in (``checked_in_by``). The
    attendance is announced (attendance.recorded, dated in ``campus_tz``) in the same
    transaction."""
    refs = check_in_refs(principal, person_ref)
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(f"活动 {activity_id} 不存在")
    if activity.status == Status.CANCELLED:
        raise domain.CheckInClosed("活动已取消，不能签到")
    if not domain.check_in_allowed(now, activity.starts_at, activity.ends_at):
        opens, closes = domain.check_in_window(activity.starts_at, activity.ends_at)
        raise domain.CheckInClosed(
            "只能在活动进行期间签到",
            opens_at=opens.isoformat(),
            closes_at=closes.isoformat(),
        )
    if not domain.code_matches(code, activity.sign_in_code):
        raise domain.WrongCode(
            "签到码不正确",
            invalid_params=[{"name": "code", "reason": "签到码不正确", "location": "json"}],
        )
    enrolment = session.scalar(
        select(Enrolment)
        .where(Enrolment.activity_id == activity.id, Enrolment.person_ref.in_(refs))
        .order_by(Enrolment.id)
        .limit(1)
    )
    if enrolment is None:
        raise NotEnrolled(f"{refs[0]} 没有报名这个活动，不能签到")
    # Conditional update: of two simultaneous sign-ins of one person, exactly one wins.
    won = session.execute(
        update(Enrolment)
        .where(Enrolment.id == enrolment.id, Enrolment.checked_in_at.is_(None))
        .values(checked_in_at=now, checked_in_by=principal.sub)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        session.refresh(enrolment)
        raise domain.AlreadyCheckedIn(
            f"{enrolment.person_ref} 已经签到过了",
            checked_in_at=enrolment.checked_in_at.isoformat() if enrolment.checked_in_at else None,
        )
    session.refresh(enrolment)
    if activity.kind != domain.Kind.MENTAL_HEALTH:  # who attends one stays in education
        announce_attendance(session, activity, enrolment, campus_tz)
    return enrolment


def announce_attendance(
    session: Session, activity: Activity, enrolment: Enrolment, campus_tz: str
) -> None:
    """attendance.recorded, in the sign-in's transaction (outbox): registers kept by staff
    or student number take it (a driver's periodic safety education in the hazards service).
    An enrolment is checked in once, so its id and sequence 1 name the event."""
    record_event(
        session,
        event_type="attendance.recorded",
        source=SOURCE,
        subject=enrolment.id,
        sequence=1,
        data={
            "activity_id": activity.id,
            "kind": activity.kind,
            "title": activity.title,
            "theme": activity.theme,
            "held_on": campus_today(campus_tz, activity.starts_at),
            "person_ref": enrolment.person_ref,
            "unit_code": enrolment.unit_code,
        },
    )


def attendance(session: Session, activity: Activity) -> dict[str, Any]:
    rows = session.execute(
        select(
            Enrolment.unit_code,
            func.count(),
            func.count(Enrolment.checked_in_at),
        )
        .where(Enrolment.activity_id == activity.id)
        .group_by(Enrolment.unit_code)
        .order_by(Enrolment.unit_code)
    ).all()
    by_unit = [
        {"unit_code": u, "enrolled": e, "checked_in": c, "rate": domain.rate(c, e)}
        for u, e, c in rows
    ]
    enrolled = sum(r["enrolled"] for r in by_unit)
    checked = sum(r["checked_in"] for r in by_unit)
    return {
        "activity_id": activity.id,
        "title": activity.title,
        "enrolled": enrolled,
        "checked_in": checked,
        "rate": domain.rate(checked, enrolled),
        "by_unit": by_unit,
    }
