"""Use cases of the education service. Each runs in the caller's unit of work and records
its events in the same transaction.

Access (issue 5): the security office manages every activity; a unit's manager manages
the activities their unit organises (and enrols their own unit's people into activities
aimed at it); everyone else reads the activities of their unit (organised by it or aimed
at it). The psychological follow-up ledger is the psych centre's alone: see psych.py.

Events: ``activity.scheduled`` / ``activity.held`` / ``activity.cancelled`` and
``drill.completed`` carry subject = the activity id and sequence = the activity's version
(one increment per event); ``drill.problem_found`` carries subject = the problem id and
sequence 1. None of them carries personal data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from services.education import domain
from services.education.domain import Booking, Status
from services.education.models import (
    Activity,
    ActivityTarget,
    DrillProblem,
    DrillResult,
    Enrolment,
    ThemedDate,
)
from shared import idempotency
from shared.errors import DomainError, Forbidden, NotFound, PreconditionFailed
from shared.events import record_event
from shared.grid_projection import GridCell, GridUnit
from shared.principal import SECURITY_OFFICE, UNIT_MANAGER, Principal
from shared.timeutil import campus_time, check_not_future

SOURCE = "education"


class UnknownUnit(DomainError):
    status = 422
    title = "Unknown unit or place"


class NotEnrolled(DomainError):
    status = 409
    title = "Not enrolled"


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


# -- access -------------------------------------------------------------------------------
def can_manage(principal: Principal, activity_unit: str) -> bool:
    return principal.may_manage_unit(activity_unit)


def require_manager(principal: Principal, organiser_unit: str) -> None:
    """Security office anywhere; a unit manager for the activities their unit organises."""
    if not can_manage(principal, organiser_unit):
        raise Forbidden(
            f"managing activities of unit {organiser_unit!r} needs the security office "
            "or that unit's manager"
        )


def can_read(principal: Principal, activity: Activity) -> bool:
    if principal.is_global:
        return True
    return principal.unit is not None and (
        principal.unit == activity.organiser_unit or principal.unit in activity.target_units
    )


def require_readable(principal: Principal, activity: Activity) -> None:
    if not can_read(principal, activity):
        raise Forbidden(f"activity {activity.id} is outside your unit's scope")


def visible_condition(principal: Principal):
    """SQL condition: activities the principal may read (None: all)."""
    if principal.is_global:
        return None
    if principal.unit is None:
        return Activity.id.is_(None)  # nothing
    aimed_at_unit = select(ActivityTarget.activity_id).where(
        ActivityTarget.unit_code == principal.unit
    )
    return (Activity.organiser_unit == principal.unit) | Activity.id.in_(aimed_at_unit)


# -- lookups ------------------------------------------------------------------------------
def get_activity(
    session: Session, principal: Principal, activity_id: str, lock: bool = False
) -> Activity:
    activity = session.get(Activity, activity_id, with_for_update=lock)
    if activity is None:
        raise NotFound(f"activity {activity_id} does not exist")
    require_readable(principal, activity)
    return activity


def _require_units(session: Session, codes: list[str], field: str) -> None:
    known = set(session.scalars(select(GridUnit.code).where(GridUnit.code.in_(set(codes)))))
    missing = [c for c in dict.fromkeys(codes) if c not in known]
    if missing:
        raise UnknownUnit(
            f"unknown unit(s) {', '.join(missing)}: units come from the grid service",
            invalid_params=[{"name": field, "reason": f"unknown unit {c}"} for c in missing],
        )


# -- events -------------------------------------------------------------------------------
def activity_state(activity: Activity) -> dict[str, Any]:
    """The activity as every activity.* event carries it (no personal data)."""
    return {
        "activity_id": activity.id,
        "kind": activity.kind,
        "title": activity.title,
        "organiser_unit": activity.organiser_unit,
        "target_units": activity.target_units,
        "venue": activity.venue,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "status": activity.status,
        "participants": activity.participants,
    }


def _announce(session: Session, activity: Activity, event_type: str, principal: Principal):
    activity.version += 1
    record_event(
        session,
        event_type=event_type,
        source=SOURCE,
        subject=activity.id,
        sequence=activity.version,
        data=activity_state(activity),
        actor=principal.sub,
    )


def _announce_drill(
    session: Session, activity: Activity, result: DrillResult, principal: Principal
) -> None:
    problems = session.scalar(
        select(func.count())
        .select_from(DrillProblem)
        .where(DrillProblem.activity_id == activity.id)
    )
    activity.version += 1
    record_event(
        session,
        event_type="drill.completed",
        source=SOURCE,
        subject=activity.id,
        sequence=activity.version,
        data={
            "drill_id": activity.id,
            "target_units": activity.target_units,
            "participants": result.participants,
            "evacuation_seconds": result.evacuation_seconds,
            "problems": problems or 0,
            "completed_at": result.recorded_at,
        },
        actor=principal.sub,
    )


# -- scheduling -----------------------------------------------------------------------------
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


def _check_schedule(
    session: Session,
    *,
    venue_key: str | None,
    starts_at: datetime,
    ends_at: datetime,
    targets: list[tuple[str, str | None]],
    exclude: str | None,
    tz: str,
) -> list[ScheduleWarning]:
    domain.check_times(starts_at, ends_at)
    _lock_venue(session, venue_key)
    others = _bookings(session, starts_at, ends_at, exclude)
    clash = domain.venue_clash(venue_key, starts_at, ends_at, others)
    if clash is not None:
        raise domain.ScheduleConflict(
            f"the venue is booked by 「{clash.title}」 ({clash.activity_id}) from "
            f"{_campus(clash.starts_at, tz)} to {_campus(clash.ends_at, tz)}",
            conflicting_activity={
                "id": clash.activity_id,
                "title": clash.title,
                "starts_at": clash.starts_at.isoformat(),
                "ends_at": clash.ends_at.isoformat(),
            },
        )
    warnings = []
    for (unit, class_name), other in domain.double_bookings(targets, starts_at, ends_at, others):
        who = f"{unit} {class_name}" if class_name else unit
        warnings.append(
            ScheduleWarning(
                code="target_double_booked",
                detail=f"{who} is also expected at 「{other.title}」 "
                f"({_campus(other.starts_at, tz)}–{_campus(other.ends_at, tz)})",
                unit_code=unit,
                class_name=class_name,
                activity_id=other.activity_id,
                title=other.title,
                starts_at=other.starts_at,
                ends_at=other.ends_at,
            )
        )
    return warnings


def _campus(moment: datetime, tz: str) -> str:
    return campus_time(moment, tz).strftime("%Y-%m-%d %H:%M")


def _target_pairs(targets: list[dict]) -> list[tuple[str, str | None]]:
    pairs = [(t["unit_code"], t.get("class_name") or None) for t in targets]
    return list(dict.fromkeys(pairs))


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
) -> tuple[Activity, list[ScheduleWarning]]:
    """Schedule an activity: 409 if its venue is taken, warnings if a target is double-booked."""
    require_manager(principal, organiser_unit)
    pairs = _target_pairs(targets)
    _require_units(session, [organiser_unit], "organiser_unit")
    _require_units(session, [u for u, _ in pairs], "targets")
    venue = venue.strip() if venue and venue.strip() else None
    venue_key = domain.normalize_venue(venue)
    warnings = _check_schedule(
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
        status=Status.PLANNED.value,
        sign_in_code=domain.new_sign_in_code(),
        version=0,
        created_by=principal.sub,
        targets=[ActivityTarget(unit_code=u, class_name=c) for u, c in pairs],
    )
    session.add(activity)
    session.flush()
    _announce(session, activity, "activity.scheduled", principal)
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
    if if_match is not None and if_match != activity.version:
        raise PreconditionFailed(
            f"the activity changed since you read it (version {activity.version})",
            current_version=activity.version,
        )
    domain.can_reschedule(activity.status)
    changes = dict(changes)
    if "venue" in changes:
        venue = changes["venue"]
        changes["venue"] = venue.strip() if venue and venue.strip() else None
    pairs = _target_pairs(changes.pop("targets")) if "targets" in changes else None
    if pairs is not None:
        _require_units(session, [u for u, _ in pairs], "targets")
    venue = changes.get("venue", activity.venue)
    starts_at = changes.get("starts_at", activity.starts_at)
    ends_at = changes.get("ends_at", activity.ends_at)
    current_pairs = [(t.unit_code, t.class_name) for t in activity.targets]
    warnings = _check_schedule(
        session,
        venue_key=domain.normalize_venue(venue),
        starts_at=starts_at,
        ends_at=ends_at,
        targets=pairs if pairs is not None else current_pairs,
        exclude=activity.id,
        tz=campus_tz,
    )
    if changes.get("capacity") is not None:
        enrolled = session.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.activity_id == activity.id)
        )
        if enrolled and enrolled > changes["capacity"]:
            raise domain.CapacityReached(
                f"{enrolled} people are enrolled; the capacity cannot go below that",
                capacity=changes["capacity"],
                enrolled=enrolled,
            )
    changed = False
    for key, value in changes.items():
        if getattr(activity, key) != value:
            setattr(activity, key, value)
            changed = True
    activity.venue_key = domain.normalize_venue(activity.venue)
    if pairs is not None and pairs != current_pairs:
        activity.targets = [ActivityTarget(unit_code=u, class_name=c) for u, c in pairs]
        changed = True
    if changed:
        session.flush()
        _announce(session, activity, "activity.scheduled", principal)
    return activity, warnings


def cancel_activity(
    session: Session, principal: Principal, activity_id: str, reason: str
) -> Activity:
    activity = get_activity(session, principal, activity_id, lock=True)
    require_manager(principal, activity.organiser_unit)
    domain.can_cancel(activity.status)
    activity.status = Status.CANCELLED.value
    activity.cancel_reason = reason
    _announce(session, activity, "activity.cancelled", principal)
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
    _announce(session, activity, "activity.held", principal)
    return activity


# -- attendance -----------------------------------------------------------------------------
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
        raise domain.InvalidState("a cancelled activity takes no enrolments")
    organiser = can_manage(principal, activity.organiser_unit)
    for person in people:
        if organiser:
            continue
        if not (
            UNIT_MANAGER in principal.roles
            and principal.unit == person["unit_code"]
            and person["unit_code"] in activity.target_units
        ):
            raise Forbidden(
                "a unit manager enrols their own unit's people into activities aimed at it; "
                f"{person['person_ref']} belongs to {person['unit_code']}"
            )
    _require_units(session, [p["unit_code"] for p in people], "people")
    existing = set(
        session.scalars(select(Enrolment.person_ref).where(Enrolment.activity_id == activity.id))
    )
    new: dict[str, dict] = {}
    for person in people:
        if person["person_ref"] not in existing:
            new.setdefault(person["person_ref"], person)
    if activity.capacity is not None and len(existing) + len(new) > activity.capacity:
        raise domain.CapacityReached(
            f"the activity holds {activity.capacity} people; {len(existing)} are enrolled, "
            f"{len(new)} more would exceed it",
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
    person_ref: str,
    now: datetime,
) -> Enrolment:
    """Sign in with the activity's code: only inside its time window, once per person.

    Anyone signed in to the campus system may present the code (a student's app, a kiosk):
    holding the code shown in the room is what the sign-in proves."""
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(f"activity {activity_id} does not exist")
    if activity.status == Status.CANCELLED:
        raise domain.CheckInClosed("the activity was cancelled")
    if not domain.check_in_allowed(now, activity.starts_at, activity.ends_at):
        opens, closes = domain.check_in_window(activity.starts_at, activity.ends_at)
        raise domain.CheckInClosed(
            "sign-in is open only during the activity",
            opens_at=opens.isoformat(),
            closes_at=closes.isoformat(),
        )
    if not domain.code_matches(code, activity.sign_in_code):
        raise domain.WrongCode(
            "the sign-in code is wrong",
            invalid_params=[{"name": "code", "reason": "wrong code", "location": "json"}],
        )
    enrolment = session.scalar(
        select(Enrolment).where(
            Enrolment.activity_id == activity.id, Enrolment.person_ref == person_ref
        )
    )
    if enrolment is None:
        raise NotEnrolled(f"{person_ref} is not enrolled in this activity")
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
            f"{person_ref} already checked in",
            checked_in_at=enrolment.checked_in_at.isoformat() if enrolment.checked_in_at else None,
        )
    session.refresh(enrolment)
    return enrolment


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


# -- drills ---------------------------------------------------------------------------------
def _problem(
    session: Session, principal: Principal, activity: Activity, spec: dict, now: datetime
) -> DrillProblem:
    cell_id, unit_code = spec.get("cell_id"), spec.get("unit_code")
    if cell_id is not None:
        cell = session.get(GridCell, cell_id)
        if cell is None or cell.unit_code is None:
            raise UnknownUnit(
                f"cell {cell_id} is not a place known to the grid",
                invalid_params=[{"name": "problems.cell_id", "reason": "unknown cell"}],
            )
        if unit_code is not None and unit_code != cell.unit_code:
            raise UnknownUnit(
                f"cell {cell_id} belongs to unit {cell.unit_code}, not {unit_code}",
                invalid_params=[{"name": "problems.unit_code", "reason": "not the cell's unit"}],
            )
        unit_code = cell.unit_code
    if unit_code is None:
        if len(activity.target_units) != 1:
            raise UnknownUnit(
                "say which unit the problem belongs to (unit_code or cell_id)",
                invalid_params=[{"name": "problems.unit_code", "reason": "required"}],
            )
        unit_code = activity.target_units[0]
    _require_units(session, [unit_code], "problems.unit_code")
    if spec.get("found_at"):
        check_not_future(spec["found_at"], now, "problems.found_at")
    problem = DrillProblem(
        activity_id=activity.id,
        unit_code=unit_code,
        cell_id=cell_id,
        category=spec["category"],
        severity=spec.get("severity") or "general",
        description=spec["description"],
        found_at=spec.get("found_at") or now,
        recorded_by=principal.sub,
    )
    session.add(problem)
    session.flush()
    record_event(
        session,
        event_type="drill.problem_found",
        source=SOURCE,
        subject=problem.id,
        sequence=1,
        data={
            "drill_id": activity.id,
            "problem_id": problem.id,
            "unit_code": problem.unit_code,
            "cell_id": problem.cell_id,
            "category": problem.category,
            "severity": problem.severity,
            "description": problem.description,
            "found_at": problem.found_at,
        },
        actor=principal.sub,
    )
    return problem


def record_drill_result(
    session: Session,
    principal: Principal,
    activity_id: str,
    *,
    participants: int,
    now: datetime,
    evacuation_seconds: int | None = None,
    observations: str | None = None,
    problems: list[dict] | None = None,
) -> DrillResult:
    """Record a drill's results; a planned drill becomes held. Each problem found is
    announced (drill.problem_found), and the hazard ledger opens one hazard for it."""
    activity = get_activity(session, principal, activity_id, lock=True)
    require_manager(principal, activity.organiser_unit)
    domain.can_record_drill(activity.kind, activity.status, activity.starts_at, now)
    if session.get(DrillResult, activity.id) is not None:
        raise domain.InvalidState(
            "this drill's results are recorded; add problems found later with "
            f"POST /activities/{activity.id}/problems"
        )
    if activity.status == Status.PLANNED:
        activity.status = Status.HELD.value
        activity.participants = participants
        _announce(session, activity, "activity.held", principal)
    result = DrillResult(
        activity_id=activity.id,
        participants=participants,
        evacuation_seconds=evacuation_seconds,
        observations=observations,
        recorded_by=principal.sub,
        recorded_at=now,
    )
    session.add(result)
    session.flush()
    for spec in problems or []:
        _problem(session, principal, activity, spec, now)
    _announce_drill(session, activity, result, principal)
    return result


def add_drill_problems(
    session: Session,
    principal: Principal,
    activity_id: str,
    problems: list[dict],
    now: datetime,
    key: str | None = None,
) -> tuple[list[DrillProblem], bool]:
    """Problems noticed after the results were recorded (e.g. in the debriefing); with an
    Idempotency-Key a resent request returns the problems it added (and False), adds none."""
    activity = get_activity(session, principal, activity_id, lock=True)
    require_manager(principal, activity.organiser_unit)
    result = session.get(DrillResult, activity.id)
    if result is None:
        raise domain.InvalidState("record the drill's results first (POST …/drill-result)")
    request = {"activity_id": activity.id, "problems": problems}
    scoped = idempotency.scoped_key(principal, key) if key else None
    if scoped:
        # The activity row is locked: a twin of this request waits here, then sees ours.
        earlier = session.scalars(
            select(DrillProblem)
            .where(DrillProblem.request_key == scoped)
            .order_by(DrillProblem.created_at, DrillProblem.id)
        ).all()
        if earlier:
            idempotency.check_same_request(earlier[0].request_hash or "", request)
            return list(earlier), False
    added = [_problem(session, principal, activity, spec, now) for spec in problems]
    if scoped:
        digest = idempotency.request_hash(request)
        for problem in added:
            problem.request_key, problem.request_hash = scoped, digest
    _announce_drill(session, activity, result, principal)
    return added, True


def drill_problems(session: Session, activity_id: str) -> list[DrillProblem]:
    return list(
        session.scalars(
            select(DrillProblem)
            .where(DrillProblem.activity_id == activity_id)
            .order_by(DrillProblem.created_at, DrillProblem.id)
        )
    )


# -- themed dates ---------------------------------------------------------------------------
def create_themed_date(session: Session, principal: Principal, **fields: Any) -> ThemedDate:
    principal.require_role(SECURITY_OFFICE)
    if fields["ends_on"] < fields["starts_on"]:
        raise domain.InvalidActivity(
            "a themed period ends on or after its first day",
            invalid_params=[{"name": "ends_on", "reason": "before starts_on"}],
        )
    exists = session.scalar(
        select(ThemedDate.id).where(
            ThemedDate.name == fields["name"], ThemedDate.starts_on == fields["starts_on"]
        )
    )
    if exists:
        raise DomainError(f"{fields['name']} on {fields['starts_on']} already exists")
    themed = ThemedDate(**fields, created_by=principal.sub)
    session.add(themed)
    session.flush()
    return themed


def load_seed_themed_dates(session: Session) -> int:
    """The 2021 campaign's phases as themed dates (demo data); idempotent."""
    added = 0
    for spec in domain.SEED_CAMPAIGN_DATES:
        exists = session.scalar(
            select(ThemedDate.id).where(
                ThemedDate.name == spec["name"], ThemedDate.starts_on == spec["starts_on"]
            )
        )
        if not exists:
            session.add(ThemedDate(**spec, created_by="seed"))
            added += 1
    session.flush()
    return added


def suggestions(session: Session, year: int) -> list[domain.Suggestion]:
    campaign = [
        domain.Suggestion(
            key=t.id,
            name=t.name,
            theme=t.theme or "",
            starts_on=t.starts_on,
            ends_on=t.ends_on,
            suggested_kinds=tuple(t.suggested_kinds or ()),
            source="campaign",
        )
        for t in session.scalars(select(ThemedDate))
    ]
    return domain.suggestions_for_year(year, campaign)


# -- coverage -------------------------------------------------------------------------------
def coverage(
    session: Session,
    principal: Principal,
    *,
    kind: str,
    starts: datetime,
    ends: datetime,
    include_planned: bool = False,
) -> list[dict[str, Any]]:
    """Every unit of the grid with the number of activities of ``kind`` aimed at it in the
    period (held ones; planned ones too if asked); ``covered`` is False for the gaps."""
    statuses = [Status.HELD.value] + ([Status.PLANNED.value] if include_planned else [])
    counts = dict(
        session.execute(
            select(ActivityTarget.unit_code, func.count(func.distinct(Activity.id)))
            .join(Activity, Activity.id == ActivityTarget.activity_id)
            .where(
                Activity.kind == kind,
                Activity.status.in_(statuses),
                Activity.starts_at < ends,
                Activity.ends_at > starts,
            )
            .group_by(ActivityTarget.unit_code)
        ).all()
    )
    units = session.execute(select(GridUnit.code, GridUnit.name).order_by(GridUnit.code)).all()
    if not principal.is_global:
        units = [u for u in units if u.code == principal.unit]
    return [
        {
            "unit_code": code,
            "unit_name": name,
            "activities": counts.get(code, 0),
            "covered": counts.get(code, 0) > 0,
        }
        for code, name in units
    ]
