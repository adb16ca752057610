"""Use cases of the hazard ledger. Each runs inside the caller's unit of work and writes
its outbox event in that same transaction: the ledger and its announcements never
disagree."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from services.hazards import domain, leads
from services.hazards.domain import Action, Status
from services.hazards.models import (
    ExtensionRequest,
    Hazard,
    HazardNumberCounter,
    HazardTransition,
    IdempotencyKey,
)
from shared import idempotency
from shared.auth import (
    GRID_STAFF,
    LEAD_DEPARTMENT,
    PORTAL,
    SECURITY_OFFICE,
    UNIT_MANAGER,
    Principal,
)
from shared.db import utcnow
from shared.errors import DomainError, Forbidden, NotFound, PreconditionFailed
from shared.events import Envelope, record_event
from shared.events.outbox import OutboxMessage
from shared.grid_projection import GridCell, accountable_person, cells_held_by
from shared.timeutil import campus_time

SOURCE = "hazards"
REPORTER_ROLES = (SECURITY_OFFICE, UNIT_MANAGER, GRID_STAFF, PORTAL)
SYSTEM = Principal("system", "系统", frozenset({SECURITY_OFFICE}), None)


class UnknownCell(DomainError):
    status = 422
    title = "Unknown cell"


# -- visibility ---------------------------------------------------------------------------
def can_see(principal: Principal, hazard: Hazard) -> bool:
    """Security office and leadership: all; every lead department of the hazard (co-leads
    included): its hazards in any unit; units: theirs. SQL twin: api.hazards.visible_to."""
    if principal.can_access_unit(hazard.unit_code):
        return True
    return LEAD_DEPARTMENT in principal.roles and principal.unit in hazard.lead_departments


def require_visible(principal: Principal, hazard: Hazard) -> None:
    if not can_see(principal, hazard):
        # Generic on purpose: naming the hazard or its unit would tell an outsider both.
        raise Forbidden("this hazard is outside your unit scope")


def require_actor(principal: Principal, hazard: Hazard, action: Action) -> None:
    roles = domain.ACTION_ROLES[action]
    if SECURITY_OFFICE in principal.roles and SECURITY_OFFICE in roles:
        return
    if principal.roles & roles & {UNIT_MANAGER, GRID_STAFF} and principal.unit == hazard.unit_code:
        return
    if LEAD_DEPARTMENT in roles & principal.roles and principal.unit in hazard.lead_departments:
        return
    raise Forbidden(f"{action.value} needs one of the roles {', '.join(sorted(roles))} in scope")


def actions_for(session: Session, principal: Principal, hazard: Hazard) -> list[str]:
    """The steps ``principal`` may take next on ``hazard``: the loop's allowed actions
    (domain.allowed_actions) that pass the same actor checks ``transition`` applies
    (require_actor, and an acceptor who never rectified the hazard)."""
    mine = []
    who_rectified: list[str] | None = None
    for name in domain.allowed_actions(Status(hazard.status)):
        action = Action(name)
        try:
            require_actor(principal, hazard, action)
            if action in (Action.ACCEPT, Action.REJECT):
                if who_rectified is None:
                    who_rectified = rectifiers(session, hazard.id)
                domain.check_acceptor(principal.sub, who_rectified)
        except DomainError:
            continue
        mine.append(name)
    return mine


def may_attach(principal: Principal, hazard: Hazard) -> bool:
    """Whether ``principal`` may add photos or documents now (the upload's own checks)."""
    if hazard.status == Status.ARCHIVED:
        return False
    try:
        domain.check_uploader(principal.roles, principal.unit, hazard.unit_code)
    except DomainError:
        return False
    return True


# -- events -------------------------------------------------------------------------------
def hazard_state(hazard: Hazard) -> dict[str, Any]:
    """The hazard as carried by every hazard.* event."""
    return {
        "hazard_id": hazard.id,
        "number": hazard.number,
        "unit_code": hazard.unit_code,
        "cell_id": hazard.cell_id,
        "category": hazard.category,
        "subcategory": hazard.subcategory,
        "lead_department": hazard.lead_department,
        "lead_departments": hazard.lead_departments,
        "severity": hazard.severity,
        "status": hazard.status,
        "found_at": hazard.found_at,
        "deadline": hazard.deadline,
        "responsible_person_id": hazard.responsible_person_id,
        "responsible_person_name": hazard.responsible_person_name,
        "reopen_count": hazard.reopen_count,
        "overdue": is_flagged_overdue(hazard),
        "closed_at": hazard.closed_at,
        "source": hazard.source,
        "source_ref": hazard.source_ref,
    }


def is_flagged_overdue(hazard: Hazard) -> bool:
    """Announced overdue for its current deadline and not yet fixed (an extension clears it)."""
    return (
        hazard.deadline is not None
        and hazard.overdue_notified_for == hazard.deadline
        and hazard.status in domain.OPEN_STATUSES
        and hazard.status != Status.ACCEPTED
    )


def _record(
    session: Session,
    hazard: Hazard,
    event_type: str,
    principal: Principal,
    *,
    action: str,
    previous: str | None,
    comment: str | None = None,
) -> Envelope:
    """Append the transition row and announce the new state (version = event sequence)."""
    session.add(
        HazardTransition(
            hazard_id=hazard.id,
            action=action,
            from_status=previous,
            to_status=hazard.status,
            actor=principal.sub,
            actor_name=principal.name,
            comment=comment,
        )
    )
    return record_event(
        session,
        event_type=event_type,
        source=SOURCE,
        subject=hazard.id,
        sequence=hazard.version,
        data=hazard_state(hazard),
        actor=principal.sub,
    )


# -- creation -----------------------------------------------------------------------------
def next_serial(session: Session, year: int) -> int:
    """Atomically take the next serial of ``year`` (row-locked until commit: gap-free)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(HazardNumberCounter)
        .values(year=year, last_serial=1)
        .on_conflict_do_update(
            index_elements=[HazardNumberCounter.year],
            set_={"last_serial": HazardNumberCounter.last_serial + 1},
        )
        .returning(HazardNumberCounter.last_serial)
    )
    return int(session.execute(stmt).scalar_one())


# PostgreSQL: counter, hazard and its announcement numbered in one round trip.
_NUMBER_IN_ONE_STATEMENT = text(
    """
    WITH serial AS (
        INSERT INTO hazard_number_counters (year, last_serial) VALUES (:year, 1)
        ON CONFLICT (year) DO UPDATE SET last_serial = hazard_number_counters.last_serial + 1
        RETURNING last_serial
    ), numbered AS (
        UPDATE hazards SET number = :prefix || lpad(
            serial.last_serial::text, greatest(:width, length(serial.last_serial::text)), '0'
        )
        FROM serial WHERE hazards.id = :hazard_id
        RETURNING hazards.number
    ), announced AS (
        UPDATE outbox SET body = replace(outbox.body, :pending, numbered.number)
        FROM numbered WHERE outbox.event_id = :event_id
        RETURNING 1
    )
    SELECT number FROM numbered
    """
)


def pending_number() -> str:
    """A unique stand-in until ``assign_number`` (32 characters, like a real number)."""
    return "YH-PENDING-" + uuid.uuid4().hex[:21]


def assign_number(session: Session, hazard: Hazard, year: int, event_id: str) -> None:
    """Give the hazard its gap-free number as the transaction's last write.

    The year's counter row stays locked from here to the commit, so concurrent creates
    queue on it: taking it last (everything else already written, with a stand-in number)
    keeps that queue short. The stand-in is replaced in the hazard and in the event
    ``event_id`` that announced it.
    """
    pending = hazard.number
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        number = session.execute(
            _NUMBER_IN_ONE_STATEMENT,
            {
                "year": year,
                "prefix": domain.number_prefix(year),
                "width": domain.NUMBER_WIDTH,
                "hazard_id": hazard.id,
                "event_id": event_id,
                "pending": pending,
            },
        ).scalar_one()
    else:
        number = domain.format_number(year, next_serial(session, year))
        session.execute(update(Hazard).where(Hazard.id == hazard.id).values(number=number))
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.event_id == event_id)
            .values(body=func.replace(OutboxMessage.body, pending, number))
        )
    set_committed_value(hazard, "number", number)


def create_hazard(
    session: Session,
    principal: Principal,
    *,
    category: str,
    description: str,
    subcategory: str | None = None,
    unit_code: str | None = None,
    cell_id: str | None = None,
    severity: str = domain.Severity.GENERAL,
    location: str | None = None,
    found_at: datetime | None = None,
    deadline: date | None = None,
    campus_tz: str = "Asia/Shanghai",
    source: str = "report",
    source_ref: str | None = None,
    also: Iterable[Callable[[Hazard], None]] = (),
) -> Hazard:
    """排查发现: number the hazard, resolve who answers for the place, announce it."""
    principal.require_role(*REPORTER_ROLES)
    domain.check_subcategory(category, subcategory)
    found_at = found_at or utcnow()
    found_day = campus_time(found_at, campus_tz).date()
    responsible = None
    if cell_id is not None:
        cell = session.get(GridCell, cell_id)
        if cell is None or cell.unit_code is None:
            raise UnknownCell(
                f"cell {cell_id} is not a place known to the grid",
                invalid_params=[{"name": "cell_id", "reason": "unknown cell", "location": "json"}],
            )
        if unit_code is not None and unit_code != cell.unit_code:
            raise UnknownCell(
                f"cell {cell_id} belongs to unit {cell.unit_code}, not {unit_code}",
                invalid_params=[{"name": "unit_code", "reason": "not the cell's unit"}],
            )
        unit_code = cell.unit_code
        responsible = accountable_person(session, cell_id, found_day)
    if unit_code is None:
        raise domain.MissingInformation(
            "a hazard needs its place (cell_id) or its unit (unit_code)",
            invalid_params=[{"name": "cell_id", "reason": "cell_id or unit_code required"}],
        )
    principal.require_unit(unit_code)
    # Grid staff report in the cells they hold (and the places below them).
    only_staff = principal.roles & set(REPORTER_ROLES) == {GRID_STAFF}
    if only_staff and (
        cell_id is None or cell_id not in cells_held_by(session, principal.sub, found_day)
    ):
        raise Forbidden("grid staff report hazards in the cells they are responsible for")
    lead_units = leads.leads_of(session, category)  # the campaign's co-leads, first first
    hazard = Hazard(
        id=str(uuid.uuid4()),  # known now: the rows below refer to it, written in one flush
        number=pending_number(),
        unit_code=unit_code,
        cell_id=cell_id,
        category=category,
        subcategory=subcategory,
        lead_department=lead_units[0],
        leads=leads.hazard_leads(lead_units),
        severity=str(severity),
        status=Status.DISCOVERED,
        description=description,
        location=location,
        found_by=principal.sub,
        found_at=found_at,
        deadline=deadline,
        responsible_person_id=responsible.person_id if responsible else None,
        responsible_person_name=responsible.person_name if responsible else None,
        source=source,
        source_ref=source_ref,
        reopen_count=0,
        version=1,
    )
    session.add(hazard)
    created = _record(session, hazard, "hazard.created", principal, action="create", previous=None)
    for write in also:  # e.g. the Idempotency-Key row: before the number, outside its lock
        write(hazard)
    assign_number(session, hazard, domain.number_year(found_at, campus_tz), created.id)
    return hazard


def create_once(
    session: Session, principal: Principal, key: str, payload: dict[str, Any], **kwargs: Any
) -> tuple[Hazard, bool]:
    """Create under an Idempotency-Key: a retry returns the first result, creates nothing."""
    scoped = idempotency.scoped_key(principal, key)
    existing = session.get(IdempotencyKey, scoped)
    if existing is not None:
        idempotency.check_same_request(existing.request_hash, payload)
        return session.get(Hazard, existing.hazard_id), False
    digest = idempotency.request_hash(payload)

    def remember_key(hazard: Hazard) -> None:
        session.add(IdempotencyKey(key=scoped, request_hash=digest, hazard_id=hazard.id))
        session.flush()  # a concurrent twin fails here on the primary key, and retries

    return create_hazard(session, principal, **payload, **kwargs, also=[remember_key]), True


def get_hazard(
    session: Session, principal: Principal, hazard_id: str, lock: bool = False
) -> Hazard:
    stmt = select(Hazard).where(Hazard.id == hazard_id)
    if lock:
        stmt = stmt.with_for_update()
    hazard = session.scalars(stmt).one_or_none()
    if hazard is None:
        raise NotFound(f"hazard {hazard_id} does not exist")
    require_visible(principal, hazard)
    return hazard


# -- the closed loop ----------------------------------------------------------------------
def transition(
    session: Session,
    principal: Principal,
    hazard_id: str,
    action: Action,
    payload: dict[str, Any],
    if_match: int | None = None,
) -> Hazard:
    """Move a hazard one step along the loop, enforcing stage, actor, and required facts."""
    hazard = get_hazard(session, principal, hazard_id, lock=True)
    if if_match is not None and if_match != hazard.version:
        raise PreconditionFailed(
            f"hazard changed since you read it (version {hazard.version}, yours {if_match})",
            current_version=hazard.version,
        )
    previous = Status(hazard.status)
    if previous == Status.ARCHIVED:
        raise domain.HazardArchived("archived hazards (备案存档) can no longer change")
    require_actor(principal, hazard, action)
    target = domain.next_status(previous, action)
    comment = payload.get("comment")
    if action == Action.REGISTER:
        domain.check_required({"deadline": payload.get("deadline") or hazard.deadline}, "deadline")
        hazard.severity = payload.get("severity") or hazard.severity
        hazard.deadline = payload.get("deadline") or hazard.deadline
    elif action == Action.START_REMEDIATION:
        plan = {
            "responsible_person": payload.get("responsible_person"),
            "measures": payload.get("measures"),
            "deadline": payload.get("deadline") or hazard.deadline,
            "contingency_plan": payload.get("contingency_plan"),
            "quick_fix": payload.get("quick_fix", True),
            "rectification_plan": payload.get("rectification_plan"),
            "interim_measures": payload.get("interim_measures"),
        }
        domain.check_remediation_plan(plan)
        hazard.remediation_person = plan["responsible_person"]
        hazard.measures = plan["measures"]
        hazard.deadline = plan["deadline"]
        hazard.contingency_plan = plan["contingency_plan"]
        hazard.quick_fix = plan["quick_fix"]
        hazard.rectification_plan = plan["rectification_plan"]
        hazard.interim_measures = plan["interim_measures"]
    elif action == Action.RECTIFY:
        domain.check_required(payload, "evidence")
        hazard.evidence = payload["evidence"]
        comment = comment or payload["evidence"]
    elif action in (Action.ACCEPT, Action.REJECT):
        domain.check_acceptor(principal.sub, rectifiers(session, hazard.id))
        if action == Action.REJECT:
            domain.check_required(payload, "reason")
            comment = payload["reason"]
            hazard.reopen_count += 1
    elif action == Action.CLOSE:
        hazard.closed_at = utcnow()
    elif action == Action.ARCHIVE:
        hazard.archived_at = utcnow()
    hazard.status = target
    hazard.version += 1
    _record(
        session,
        hazard,
        domain.ACTION_EVENTS[action],
        principal,
        action=action.value,
        previous=previous,
        comment=comment,
    )
    return hazard


def rectifiers(session: Session, hazard_id: str) -> list[str]:
    """Everyone who ever rectified the hazard, in every remediation round."""
    return list(
        session.scalars(
            select(HazardTransition.actor)
            .where(
                HazardTransition.hazard_id == hazard_id,
                HazardTransition.action == Action.RECTIFY.value,
            )
            .distinct()
        )
    )


def close_hazard(
    session: Session, principal: Principal, hazard_id: str, comment: str | None = None
) -> Hazard:
    """销号: the security office closes out an accepted hazard."""
    return transition(session, principal, hazard_id, Action.CLOSE, {"comment": comment})


# -- deadline extensions (延期申请) ----------------------------------------------------------
def request_extension(
    session: Session, principal: Principal, hazard_id: str, new_deadline: date, reason: str
) -> ExtensionRequest:
    hazard = get_hazard(session, principal, hazard_id, lock=True)
    require_actor(principal, hazard, Action.START_REMEDIATION)
    _ensure_open(hazard)
    if hazard.deadline is not None and new_deadline <= hazard.deadline:
        raise domain.InvalidTransition(
            f"the new deadline must be after the current one ({hazard.deadline})"
        )
    request = ExtensionRequest(
        hazard_id=hazard.id,
        requested_by=principal.sub,
        requested_deadline=new_deadline,
        reason=reason,
        status="pending",
    )
    session.add(request)
    session.flush()
    return request


def decide_extension(
    session: Session, principal: Principal, request_id: str, approve: bool, comment: str | None
) -> ExtensionRequest:
    request = session.get(ExtensionRequest, request_id, with_for_update=True)
    if request is None:
        raise NotFound(f"extension request {request_id} does not exist")
    hazard = get_hazard(session, principal, request.hazard_id, lock=True)
    require_actor(principal, hazard, Action.ACCEPT)
    if request.requested_by == principal.sub:
        raise domain.SameActor("an extension cannot be approved by the person who asked for it")
    if request.status != "pending":
        raise domain.InvalidTransition(f"extension request already {request.status}")
    _ensure_open(hazard)
    request.status = "approved" if approve else "refused"
    request.decided_by = principal.sub
    request.decided_at = utcnow()
    request.decision_comment = comment
    if approve:
        hazard.deadline = request.requested_deadline
        hazard.version += 1
        _record(
            session,
            hazard,
            "hazard.deadline_extended",
            principal,
            action="extend",
            previous=hazard.status,
            comment=comment or f"延期至 {request.requested_deadline}",
        )
    return request


def _ensure_open(hazard: Hazard) -> None:
    if hazard.status not in domain.OPEN_STATUSES:
        domain.next_status(Status(hazard.status), Action.REGISTER)  # raises the right 409


# -- the sweep (周整改, 督导问责) -------------------------------------------------------------
def sweep(session: Session, now: datetime, campus_tz: str, major_days: int) -> dict[str, int]:
    """Announce overdue hazards (once per deadline passed) and long-open major ones (once).

    Takes the clock as a parameter; running it twice at the same time publishes nothing new.
    """
    today = campus_time(now, campus_tz).date()
    counts = {"overdue": 0, "major_unresolved": 0}
    open_hazards = session.scalars(
        select(Hazard)
        .where(Hazard.status.in_([s.value for s in domain.OPEN_STATUSES]))
        .order_by(Hazard.number)
        .with_for_update(skip_locked=True)
    )
    for hazard in open_hazards:
        status = Status(hazard.status)
        if domain.is_overdue(status, hazard.deadline, today) and (
            hazard.overdue_notified_for != hazard.deadline
        ):
            hazard.overdue_notified_for = hazard.deadline
            hazard.version += 1
            _record(
                session,
                hazard,
                "hazard.overdue",
                SYSTEM,
                action="overdue",
                previous=status,
                comment=f"逾期：限期 {hazard.deadline}",
            )
            counts["overdue"] += 1
        if not hazard.major_unresolved_notified and domain.major_unresolved(
            domain.Severity(hazard.severity), status, hazard.found_at, now, major_days
        ):
            hazard.major_unresolved_notified = True
            hazard.version += 1
            _record(
                session,
                hazard,
                "hazard.major_unresolved",
                SYSTEM,
                action="major_unresolved",
                previous=status,
                comment=f"重大隐患超过 {major_days} 天未解决",
            )
            counts["major_unresolved"] += 1
    return counts
