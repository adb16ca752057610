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
from shared.config import Settings
from shared.errors import DomainError, Forbidden, NotFound, check_version
from shared.events import Envelope, record_event
from shared.events.outbox import OutboxMessage
from shared.grid_projection import GridCell, accountable_person, cells_held_by
from shared.principal import (
    GRID_STAFF,
    LEAD_DEPARTMENT,
    PORTAL,
    SECURITY_OFFICE,
    UNIT_MANAGER,
    Principal,
)
from shared.timeutil import campus_time, utcnow

SOURCE = "hazards"
# Lead departments report in any unit, for the categories they lead (督导检查, rule 7).
REPORTER_ROLES = (SECURITY_OFFICE, UNIT_MANAGER, GRID_STAFF, PORTAL, LEAD_DEPARTMENT)
# The steps that judge the unit's work (验收): never by the hazard's own unit.
JUDGEMENTS = frozenset({Action.ACCEPT, Action.REJECT})
# The steps after which the sweep could no longer see a lateness that ran before them (the
# unit's stages end; the acceptance round ends): they announce it first (announce_lateness).
ENDS_LATENESS = frozenset({Action.RECTIFY, Action.ACCEPT, Action.REJECT})
# Approving a rectification plan (整改计划) is judged by the same parties (require_judge).
APPROVE_PLAN, PLAN_APPROVAL = "approve_plan", "approving a rectification plan (整改计划)"
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
    (require_actor, and an acceptor who never rectified the hazard); then approving the
    rectification plan (``APPROVE_PLAN``) when one awaits it and ``approve_plan`` would
    let the caller."""
    mine = []
    who_rectified: list[str] | None = None
    for name in domain.allowed_actions(Status(hazard.status)):
        action = Action(name)
        try:
            require_actor(principal, hazard, action)
            if action in JUDGEMENTS:
                require_judge(principal, hazard, "acceptance (验收)")
                if who_rectified is None:
                    who_rectified = rectifiers(session, hazard.id)
                domain.check_acceptor(principal.sub, who_rectified)
        except DomainError:
            continue
        mine.append(name)
    if domain.plan_awaits_approval(hazard.status, hazard.plan_deadline, hazard.plan_approved_at):
        try:
            require_judge(principal, hazard, PLAN_APPROVAL)
            domain.check_plan_approval(
                hazard.status,
                hazard.plan_deadline,
                hazard.plan_approved_at,
                principal.sub,
                plan_author(session, hazard.id),
            )
        except DomainError:
            pass
        else:
            mine.append(APPROVE_PLAN)
    return mine


def require_judge(principal: Principal, hazard: Hazard, what: str) -> None:
    """The security office, or a lead department of the hazard that is not its unit."""
    domain.check_judge(
        principal.roles, principal.unit, hazard.unit_code, hazard.lead_departments, what
    )


def policy_of(settings: Settings) -> domain.Policy:
    """The rules' configurable parts from the service's settings."""
    return domain.Policy(
        campus_tz=settings.campus_timezone,
        acceptance_working_days=settings.acceptance_working_days,
        major_plan_days=settings.major_plan_days,
        security_office_unit=settings.security_office_unit,
    )


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
        "reporter_unit": hazard.reporter_unit,
        "registered_at": hazard.registered_at,
        # The approved plan's: a plan awaiting approval is not yet what the hazard is judged by.
        "plan_deadline": approved_plan_deadline(hazard),
        "rectified_at": hazard.rectified_at,
        "acceptance_due": hazard.acceptance_due if hazard.status == Status.RECTIFIED else None,
        "acceptor_unit": hazard.acceptor_unit,
        "acceptance_overdue": is_acceptance_flagged(hazard),
        "major_unresolved_reason": major_unresolved_reason(hazard),
        "deadline_set_at": hazard.deadline_set_at,
        "overdue_since": hazard.overdue_notified_at if is_flagged_overdue(hazard) else None,
        "plan_approved_at": hazard.plan_approved_at,
        "acceptance_overdue_since": (
            hazard.acceptance_notified_at if is_acceptance_flagged(hazard) else None
        ),
        "acceptance_decided_at": hazard.acceptance_decided_at,
    }


def _set_deadline(hazard: Hazard, deadline: date | None, now: datetime) -> None:
    """A new deadline (registration, plan, extension) and when it was set."""
    if deadline != hazard.deadline:
        hazard.deadline, hazard.deadline_set_at = deadline, now


def is_flagged_overdue(hazard: Hazard) -> bool:
    """Announced overdue for its current deadline and the unit has not rectified yet (an
    extension clears it; awaiting acceptance is not the unit's time)."""
    return (
        hazard.deadline is not None
        and hazard.overdue_notified_for == hazard.deadline
        and hazard.status in domain.UNIT_STAGES
    )


def is_acceptance_flagged(hazard: Hazard) -> bool:
    """Announced late for acceptance (验收逾期) in this round, still awaiting acceptance."""
    return domain.acceptance_flagged(
        hazard.status, hazard.reopen_count, hazard.acceptance_notified_round
    )


def approved_plan_deadline(hazard: Hazard) -> date | None:
    return domain.approved_plan_deadline(hazard.plan_deadline, hazard.plan_approved_at)


def major_unresolved_reason(hazard: Hazard) -> str | None:
    """Why the hazard was announced 悬而不决 (no_plan, plan_overdue), while that holds."""
    return domain.major_reason_in_force(
        hazard.severity,
        hazard.status,
        approved_plan_deadline(hazard),
        bool(hazard.major_no_plan_notified),
        hazard.plan_overdue_notified_for,
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
    at: datetime | None = None,
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
            at=at or utcnow(),
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
        occurred_at=at,
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
    now: datetime | None = None,
    policy: domain.Policy | None = None,
) -> Hazard:
    """排查发现: number the hazard, resolve who answers for the place, announce it.

    A person's finding date is checked (never in the future); what the system opens (drill
    problems, equipment lapses) comes with the time its source decided."""
    principal.require_role(*REPORTER_ROLES)
    domain.check_subcategory(category, subcategory)
    now = now or utcnow()
    if found_at is not None and principal is not SYSTEM:
        domain.check_found_at(found_at, now)
    found_at = found_at or now
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
    lead_units = leads.leads_of(session, category)  # the campaign's co-leads, first first
    # One's own unit; a lead department also any unit, in the categories it leads.
    leading = LEAD_DEPARTMENT in principal.roles and principal.unit in lead_units
    if not leading:
        principal.require_unit(unit_code)
    # Grid staff report in the cells they hold (and the places below them).
    only_staff = principal.roles & set(REPORTER_ROLES) == {GRID_STAFF}
    if only_staff and (
        cell_id is None or cell_id not in cells_held_by(session, principal.sub, found_day)
    ):
        raise Forbidden("grid staff report hazards in the cells they are responsible for")
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
        deadline_set_at=now if deadline else None,
        responsible_person_id=responsible.person_id if responsible else None,
        responsible_person_name=responsible.person_name if responsible else None,
        source=source,
        source_ref=source_ref,
        reporter_unit=reporter_unit(principal, policy or domain.Policy()),
        # A major hazard's plan clock runs from its registration; until then from now.
        major_since=now if severity == domain.Severity.MAJOR else None,
        reopen_count=0,
        version=1,
    )
    session.add(hazard)
    created = _record(
        session, hazard, "hazard.created", principal, action="create", previous=None, at=now
    )
    for write in also:  # e.g. the Idempotency-Key row: before the number, outside its lock
        write(hazard)
    assign_number(session, hazard, domain.number_year(found_at, campus_tz), created.id)
    return hazard


def reporter_unit(principal: Principal, policy: domain.Policy) -> str | None:
    """The unit that reports: the reporter's own (a lead department inspecting another
    unit names itself), the security office's unit for the office; none for the system."""
    if principal is SYSTEM:
        return None
    if principal.unit:
        return principal.unit
    return policy.security_office_unit if SECURITY_OFFICE in principal.roles else None


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
    *,
    now: datetime | None = None,
    policy: domain.Policy | None = None,
) -> Hazard:
    """Move a hazard one step along the loop, enforcing stage, actor, and required facts.

    A step that ends a lateness (``ENDS_LATENESS``) first announces what ran before it and
    no sweep announced yet (overdue, 悬而不决, a late acceptance), in its own event:
    rectifying or deciding after the due date keeps the lateness on record."""
    now, policy = now or utcnow(), policy or domain.Policy()
    hazard = get_hazard(session, principal, hazard_id, lock=True)
    check_version(hazard, if_match, "hazard")
    previous = Status(hazard.status)
    if previous == Status.ARCHIVED:
        raise domain.HazardArchived("archived hazards (备案存档) can no longer change")
    require_actor(principal, hazard, action)
    if action in JUDGEMENTS:
        require_judge(principal, hazard, "acceptance (验收)")
    target = domain.next_status(previous, action)
    if action in ENDS_LATENESS:
        announce_lateness(session, hazard, now, policy)
    comment = payload.get("comment")
    if action == Action.REGISTER:
        domain.check_required({"deadline": payload.get("deadline") or hazard.deadline}, "deadline")
        domain.check_deadline_step(hazard.deadline, payload.get("deadline"))
        severity = domain.Severity(payload.get("severity") or hazard.severity)
        if severity != hazard.severity:  # 登记评估 re-grades: recorded like any change
            _change_severity(session, principal, hazard, severity, comment or "登记评估", now)
        _set_deadline(hazard, payload.get("deadline") or hazard.deadline, now)
        hazard.registered_at = now
        if hazard.severity == domain.Severity.MAJOR:
            hazard.major_since = now  # the plan is due within the days after registration
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
        domain.check_deadline_step(hazard.deadline, plan["deadline"])
        hazard.remediation_person = plan["responsible_person"]
        hazard.measures = plan["measures"]
        _set_deadline(hazard, plan["deadline"], now)
        hazard.contingency_plan = plan["contingency_plan"]
        hazard.quick_fix = plan["quick_fix"]
        hazard.rectification_plan = plan["rectification_plan"]
        hazard.interim_measures = plan["interim_measures"]
        # 整改计划: a hazard that cannot be fixed at once is judged against its plan, once
        # a judge has approved it (approve_plan): the unit does not approve its own.
        if not plan["quick_fix"]:
            hazard.plan_deadline, hazard.plan_approved_at = plan["deadline"], None
    elif action == Action.RECTIFY:
        domain.check_required(payload, "evidence")
        hazard.evidence = payload["evidence"]
        comment = comment or payload["evidence"]
        # 待验收: the acceptor's time starts; its due date is fixed now.
        hazard.rectified_at = now
        hazard.acceptance_due = domain.add_working_days(
            campus_time(now, policy.campus_tz).date(), policy.acceptance_working_days
        )
        hazard.acceptor_unit = domain.acceptor_unit(
            hazard.lead_departments, hazard.unit_code, policy.security_office_unit
        )
    elif action in JUDGEMENTS:
        domain.check_acceptor(principal.sub, rectifiers(session, hazard.id))
        hazard.acceptance_due = None  # this round's acceptance is done
        hazard.acceptance_decided_at = now
        if action == Action.REJECT:
            domain.check_required(payload, "reason")
            comment = payload["reason"]
            hazard.reopen_count += 1
    elif action == Action.CLOSE:
        hazard.closed_at = now
    elif action == Action.ARCHIVE:
        hazard.archived_at = now
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
        at=now,
    )
    return hazard


# -- severity (no silent downgrade) -------------------------------------------------------
def change_severity(
    session: Session,
    principal: Principal,
    hazard_id: str,
    severity: str,
    reason: str,
    if_match: int | None = None,
    *,
    now: datetime | None = None,
    policy: domain.Policy | None = None,
) -> Hazard:
    """Re-grade a hazard: old → new and the reason go into its history and its event;
    only the security office lowers a major hazard."""
    now, policy = now or utcnow(), policy or domain.Policy()
    hazard = get_hazard(session, principal, hazard_id, lock=True)
    check_version(hazard, if_match, "hazard")
    _ensure_open(hazard)
    domain.check_required({"reason": (reason or "").strip()}, "reason")
    new = domain.Severity(severity)
    if hazard.severity == domain.Severity.MAJOR and new != hazard.severity:
        # Lowering a major hazard ends 悬而不决: what ran before is announced first.
        announce_lateness(session, hazard, now, policy)
    _change_severity(session, principal, hazard, new, reason, now)
    return hazard


def _change_severity(
    session: Session,
    principal: Principal,
    hazard: Hazard,
    new: domain.Severity,
    reason: str,
    now: datetime,
) -> None:
    old = domain.Severity(hazard.severity)
    domain.check_severity_change(
        principal.roles, principal.unit, hazard.unit_code, hazard.lead_departments, old, new
    )
    hazard.severity = new.value
    # Raised to major: the plan clock starts now; lowered: no clock.
    hazard.major_since = now if new == domain.Severity.MAJOR else None
    hazard.version += 1
    _record(
        session,
        hazard,
        "hazard.severity_changed",
        principal,
        action="change_severity",
        previous=hazard.status,
        comment=domain.severity_comment(old, new, reason),
        at=now,
    )


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


# -- the rectification plan (整改计划) ---------------------------------------------------------
def plan_author(session: Session, hazard_id: str) -> str | None:
    """Who wrote the rectification plan (started remediation)."""
    return session.scalars(
        select(HazardTransition.actor)
        .where(
            HazardTransition.hazard_id == hazard_id,
            HazardTransition.action == Action.START_REMEDIATION.value,
        )
        .order_by(HazardTransition.id.desc())
        .limit(1)
    ).first()


def approve_plan(
    session: Session,
    principal: Principal,
    hazard_id: str,
    comment: str | None = None,
    if_match: int | None = None,
    *,
    now: datetime | None = None,
    policy: domain.Policy | None = None,
) -> Hazard:
    """批准整改计划: the plan a unit wrote for a hazard that cannot be fixed at once is
    approved by a judge (the security office, or a lead department of the category that is
    not the hazard's unit — as for 验收), never by its author; from then on the hazard is
    judged against the plan's deadline (悬而不决). A plan approved after the days allowed is
    approved, and the lateness before it is announced first."""
    now, policy = now or utcnow(), policy or domain.Policy()
    hazard = get_hazard(session, principal, hazard_id, lock=True)
    check_version(hazard, if_match, "hazard")
    _ensure_open(hazard)
    require_judge(principal, hazard, PLAN_APPROVAL)
    domain.check_plan_approval(
        hazard.status,
        hazard.plan_deadline,
        hazard.plan_approved_at,
        principal.sub,
        plan_author(session, hazard.id),
    )
    announce_lateness(session, hazard, now, policy)
    hazard.plan_approved_at = now
    hazard.version += 1
    approved = f"批准整改计划：时限 {hazard.plan_deadline}"
    _record(
        session,
        hazard,
        "hazard.plan_approved",
        principal,
        action=APPROVE_PLAN,
        previous=hazard.status,
        comment=f"{approved}（{comment}）" if comment else approved,
        at=now,
    )
    return hazard


# -- deadline extensions (延期申请) ----------------------------------------------------------
def request_extension(
    session: Session,
    principal: Principal,
    hazard_id: str,
    new_deadline: date,
    reason: str,
    *,
    now: datetime | None = None,
    policy: domain.Policy | None = None,
) -> ExtensionRequest:
    """Ask for a later deadline: who starts remediation, before the deadline; after it,
    only the security office (the request records which). One request waits at a time
    (409 naming the pending one)."""
    now, policy = now or utcnow(), policy or domain.Policy()
    hazard = get_hazard(session, principal, hazard_id, lock=True)
    require_actor(principal, hazard, Action.START_REMEDIATION)
    _ensure_open(hazard)
    today = campus_time(now, policy.campus_tz).date()
    after = domain.check_extension_request(principal.roles, hazard.deadline, today)
    pending = session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.hazard_id == hazard.id, ExtensionRequest.status == "pending")
        .order_by(ExtensionRequest.created_at)
        .limit(1)
    ).first()
    domain.check_no_pending_extension(
        pending and pending.id, pending and pending.requested_deadline
    )
    domain.check_extension_lengthens(new_deadline, hazard.deadline, "new_deadline")
    request = ExtensionRequest(
        hazard_id=hazard.id,
        requested_by=principal.sub,
        requested_deadline=new_deadline,
        reason=reason,
        deadline_when_asked=hazard.deadline,
        asked_after_deadline=after,
        status="pending",
        created_at=now,
    )
    session.add(request)
    session.flush()
    return request


def decide_extension(
    session: Session,
    principal: Principal,
    request_id: str,
    approve: bool,
    comment: str | None,
    *,
    now: datetime | None = None,
    policy: domain.Policy | None = None,
) -> ExtensionRequest:
    """Approve (the deadline moves; the old one stays in the history) or refuse: the
    security office, or a lead department of the category for another unit's hazard —
    never the hazard's own unit, and after the deadline only the security office.

    Approving re-checks that the requested deadline is still later than the current one
    (409 otherwise: it never shortens a deadline), and first announces lateness the sweep
    has not announced yet (an extension never erases lateness that already ran)."""
    now, policy = now or utcnow(), policy or domain.Policy()
    request = session.get(ExtensionRequest, request_id, with_for_update=True)
    if request is None:
        raise NotFound(f"extension request {request_id} does not exist")
    hazard = get_hazard(session, principal, request.hazard_id, lock=True)
    domain.check_extension_decider(
        principal.roles,
        principal.unit,
        hazard.unit_code,
        hazard.lead_departments,
        hazard.deadline,
        campus_time(now, policy.campus_tz).date(),
    )
    if request.requested_by == principal.sub:
        raise domain.SameActor("an extension cannot be approved by the person who asked for it")
    if request.status != "pending":
        raise domain.InvalidTransition(f"extension request already {request.status}")
    _ensure_open(hazard)
    if approve:
        domain.check_extension_lengthens(request.requested_deadline, hazard.deadline, None)
    request.status = "approved" if approve else "refused"
    request.decided_by = principal.sub
    request.decided_at = now
    request.decision_comment = comment
    if approve:
        announce_lateness(session, hazard, now, policy)
        old = hazard.deadline
        _set_deadline(hazard, request.requested_deadline, now)
        if hazard.plan_deadline is not None:  # the plan's 时限 is the hazard's deadline
            hazard.plan_deadline = request.requested_deadline
        hazard.version += 1
        moved = f"延期：整改期限 {old or '未定'} → {request.requested_deadline}"
        _record(
            session,
            hazard,
            "hazard.deadline_extended",
            principal,
            action="extend",
            previous=hazard.status,
            comment=f"{moved}（{comment}）" if comment else moved,
            at=now,
        )
    return request


def _ensure_open(hazard: Hazard) -> None:
    if hazard.status not in domain.OPEN_STATUSES:
        domain.next_status(Status(hazard.status), Action.REGISTER)  # raises the right 409


# -- the sweep (周整改, 督导问责) -------------------------------------------------------------
def announce_lateness(
    session: Session, hazard: Hazard, now: datetime, policy: domain.Policy
) -> list[str]:
    """Announce what is late on ``hazard`` at ``now`` and was not announced yet, once per
    cause, each in its own event: the unit past its deadline (once per deadline), the
    acceptor past its due date (once per rectification round), a major hazard unresolved
    (悬而不决: without an approved plan in time once, past the approved plan's deadline
    once per plan deadline). Returns the announcements made (``overdue``, …).

    The one home of these announcements: the sweep calls it for every open hazard, and a
    step that would end a lateness (rectify, accept or reject, an approved extension, plan
    approval, lowering a major hazard) calls it first, so lateness that ran between two
    sweeps is on record too."""
    today = campus_time(now, policy.campus_tz).date()
    status = Status(hazard.status)
    made: list[str] = []

    def announce(event_type: str, comment: str) -> None:
        hazard.version += 1
        action = event_type.removeprefix("hazard.")
        _record(
            session,
            hazard,
            event_type,
            SYSTEM,
            action=action,
            previous=hazard.status,
            comment=comment,
            at=now,
        )
        made.append(action)

    if domain.overdue_unannounced(status, hazard.deadline, hazard.overdue_notified_for, today):
        hazard.overdue_notified_for, hazard.overdue_notified_at = hazard.deadline, now
        announce("hazard.overdue", f"逾期：限期 {hazard.deadline}")
    if domain.acceptance_late_unannounced(
        status,
        hazard.acceptance_due,
        hazard.reopen_count,
        hazard.acceptance_notified_round,
        today,
    ):
        hazard.acceptance_notified_round = hazard.reopen_count
        hazard.acceptance_notified_at = now
        announce(
            "hazard.acceptance_overdue",
            f"验收逾期：应于 {hazard.acceptance_due} 前验收（验收部门 {hazard.acceptor_unit}）",
        )
    since = hazard.major_since and campus_time(hazard.major_since, policy.campus_tz).date()
    plan_deadline = approved_plan_deadline(hazard)
    reason = domain.major_unannounced(
        domain.major_unresolved(
            domain.Severity(hazard.severity),
            status,
            since,
            plan_deadline,
            today,
            policy.major_plan_days,
        ),
        bool(hazard.major_no_plan_notified),
        plan_deadline,
        hazard.plan_overdue_notified_for,
    )
    if reason == domain.MajorUnresolved.NO_PLAN:
        hazard.major_no_plan_notified = True
        announce(
            "hazard.major_unresolved",
            f"重大隐患悬而不决：登记后 {policy.major_plan_days} 天仍无经批准的整改计划",
        )
    elif reason == domain.MajorUnresolved.PLAN_OVERDUE:
        hazard.plan_overdue_notified_for = plan_deadline
        announce("hazard.major_unresolved", f"重大隐患悬而不决：已过整改计划时限 {plan_deadline}")
    return made


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
