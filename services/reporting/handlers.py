"""Events the reporting service consumes: hazards, the grid, education — into projections
and accountability flags. Every handler is idempotent (projections keep the newest
sequence; a flag exists once per cause).

Hazard flags follow the hazard's state as the projection holds it, not the event that
happens to arrive: events come late, twice and out of order, and a stale one (older than
the row) never opens a flag from its own, outdated state. Whatever the order, the flags
end as if the events had come in sequence. Each delay is charged to the party that caused
it, and lateness that happened stays on record (``resolved_late`` with the days late —
only a decision with a reason ever withdraws a flag):

- overdue (隐患逾期未整改), on the hazard's unit, one per deadline: raised when the state
  is overdue; resolved late when the unit's part is done (rectified: awaiting acceptance is
  the acceptor's time, not the unit's) or when an extension replaced that deadline (the
  days already late stay); reopened if a late fix is rejected at acceptance;
- late acceptance (隐患验收逾期), on the acceptor's unit, one per rectification: raised when
  the state says the acceptance is overdue; resolved late once accepted or rejected;
- major unresolved (重大隐患悬而不决), one per reason: no approved rectification plan in time
  (resolved late once a plan is approved or the hazard is fixed), or past the plan's
  deadline (resolved late once fixed or the plan's deadline moves) — raised by the sweep's
  announcement, which the state carries as ``major_unresolved_reason``.

Dates are campus dates (the campus time zone, ``Settings.campus_timezone``): a hazard
found at 01:00 on a campaign's first day belongs to that campaign. ``event_handlers(tz)``
binds the handlers to a zone; ``make_handlers(settings)`` (what the worker runs) to the
zone of the worker's settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting import commands, flags
from services.reporting.domain import Rule, cause_key
from services.reporting.incidents.handlers import HANDLERS as INCIDENT_HANDLERS
from services.reporting.letters.handlers import HANDLERS as LETTER_HANDLERS
from services.reporting.models import (
    ActivityProjection,
    DrillResultProjection,
    Flag,
    HazardProjection,
)
from services.reporting.plans.handlers import HANDLERS as PLAN_HANDLERS
from services.reporting.statistics import counters
from shared import hazard_stages as stages
from shared.config import Settings
from shared.events import Envelope
from shared.events.catalog import HAZARD_EVENT_TYPES
from shared.events.consumer import BatchHandler, Handler
from shared.grid_projection import GRID_EVENT_HANDLERS
from shared.projections import upsert_newer, upsert_newer_many
from shared.revocation_store import REVOCATION_HANDLERS
from shared.timeutil import campus_time, utcnow

FIXED = stages.FIXED
AWAITING_ACCEPTANCE = stages.AWAITING_ACCEPTANCE
DONE_BY_UNIT = stages.DONE_BY_UNIT
STATE_CHANGING_EVENTS = frozenset(
    {
        "hazard.deadline_extended",
        "hazard.major_unresolved",
        "hazard.acceptance_overdue",
        "hazard.rectified",
        "hazard.rejected",
        "hazard.remediation_started",
    }
)
DATES = ("deadline", "plan_deadline", "acceptance_due")
MOMENTS = (
    "found_at",
    "closed_at",
    "registered_at",
    "rectified_at",
    "deadline_set_at",
    "overdue_since",
    "plan_approved_at",
    "acceptance_overdue_since",
    "acceptance_decided_at",
)
# Added to the hazard's state later: events written before them lack them.
OPTIONAL = ("acceptor_unit", "major_unresolved_reason", "reporter_unit")


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def apply_hazard_state(session: Session, event: Envelope, campus_tz: str) -> None:
    """Every hazard.* event carries the hazard's state: keep the newest one, and let the
    hazard's flags follow the state the projection now holds."""
    values = _hazard_values(event)
    # The counters move the hazard from its old key: read it first (a first event, sequence
    # 1, finds no row: no query).
    old = counters.read_state(session, values["hazard_id"]) if event.sequence > 1 else None
    if upsert_newer(session, HazardProjection, "hazard_id", values, event.sequence):
        _applied(session, old, values, event, campus_tz)
    else:
        _stale(session, values, event, campus_tz)


def apply_hazard_states(session: Session, events: list[Envelope], campus_tz: str) -> None:
    """``apply_hazard_state`` for a run of the consumer's batch, in rounds of three
    statements instead of one or two per event: the old key columns of the round's hazards
    read at once, their states written at once, the counters' changes merged
    (``counters.flush``). A round holds each hazard at most once: a hazard's second event
    in the run goes to the second round, and so on, so each hazard's events are applied in
    the order they came, exactly as one at a time (the flags' dates can depend on it)."""
    rounds: list[list[Envelope]] = []
    seen: dict[str, int] = {}
    for event in events:
        hazard_id = event.data["hazard_id"]
        number = seen.get(hazard_id, 0)
        seen[hazard_id] = number + 1
        if number == len(rounds):
            rounds.append([])
        rounds[number].append(event)
    for round_events in rounds:
        _apply_round(session, round_events, campus_tz)


def _apply_round(session: Session, events: list[Envelope], campus_tz: str) -> None:
    """Events of distinct hazards, applied together."""
    values = [_hazard_values(event) for event in events]
    old = counters.read_states(
        session, [event.data["hazard_id"] for event in events if event.sequence > 1]
    )
    written = upsert_newer_many(
        session,
        HazardProjection,
        "hazard_id",
        [(state, event.sequence) for state, event in zip(values, events, strict=True)],
    )
    for state, event in zip(values, events, strict=True):
        if state["hazard_id"] in written:
            _applied(session, old.get(state["hazard_id"]), state, event, campus_tz)
        else:
            _stale(session, state, event, campus_tz)


def _hazard_values(event: Envelope) -> dict[str, Any]:
    """The projection's row from the event's state (dates parsed, optional ones filled)."""
    data = event.data
    return {
        **data,
        **{name: _date(data.get(name)) for name in DATES},
        **{name: _moment(data.get(name)) for name in MOMENTS},
        **{name: data.get(name) for name in OPTIONAL},
        "acceptance_overdue": bool(data.get("acceptance_overdue")),
        "updated_at": utcnow(),
    }


def _applied(
    session: Session,
    old: Mapping[str, Any] | None,
    values: dict[str, Any],
    event: Envelope,
    campus_tz: str,
) -> None:
    """The projection took the event's state: counters moved, flags follow."""
    counters.apply_change(session, old, values, campus_tz)
    # The row is this event's state now. Only a state that can change the flags is
    # looked at (most events, hazard.created above all, cannot: no extra query).
    if (
        values["overdue"]
        or values["acceptance_overdue"]
        or values["status"] in FIXED
        or event.type in STATE_CHANGING_EVENTS
    ):
        _follow_state(session, values, event, campus_tz)


def _stale(session: Session, values: dict[str, Any], event: Envelope, campus_tz: str) -> None:
    """Stale (or a duplicate): the row holds a newer state, which decides. The event's own
    state opens nothing; a late major-unresolved announcement counts only if the hazard
    is still not fixed."""
    current = _current_state(session, values["hazard_id"])
    if current is not None:
        _follow_state(session, current, event, campus_tz, announced=values)


def _current_state(session: Session, hazard_id: str) -> Mapping[str, Any] | None:
    table = HazardProjection.__table__
    return session.execute(select(table).where(table.c.hazard_id == hazard_id)).mappings().first()


def _flags_of(session: Session, hazard_id: str, rule: Rule) -> list[Flag]:
    """Every flag of ``rule`` the hazard raised (cause keys start with rule:hazard_id);
    resolving is idempotent, so resolved ones are harmless here."""
    prefix = cause_key(rule, hazard_id)
    return list(
        session.scalars(
            select(Flag).where(
                Flag.rule == rule.value,
                (Flag.cause_key == prefix)
                | Flag.cause_key.startswith(prefix + ":", autoescape=True),
            )
        )
    )


def _follow_state(
    session: Session,
    state: Mapping[str, Any],
    event: Envelope,
    campus_tz: str,
    announced: Mapping[str, Any] | None = None,
) -> None:
    """Raise, resolve and reopen the hazard's flags so they match ``state`` (the
    projection's); ``announced``: a stale event's own state (only its announcement counts)."""
    at = event.occurred_at
    today = campus_time(at, campus_tz).date()
    _follow_overdue(session, state, event, campus_tz, at, today, announced)
    _follow_acceptance(session, state, event, campus_tz, at, today, announced)
    _follow_major(session, state, event, campus_tz, at, today, announced)


def _follow_overdue(session, state, event, campus_tz, at, today, announced=None) -> None:
    hazard_id, status, deadline = state["hazard_id"], state["status"], state["deadline"]
    if announced is not None and _overdue(announced):
        # A late announcement of a lateness that happened: on record, even if the state
        # the projection holds has moved on (fixed, or extended) — resolved just below.
        _raise_overdue(session, announced, event, campus_tz)
    current_key = None
    if _overdue(state):
        current_key = cause_key(Rule.OVERDUE_HAZARD, hazard_id, deadline)
        existing = flags.find(session, current_key)
        if existing is None:
            _raise_overdue(session, state, event, campus_tz)
        else:
            flags.reopen(session, existing, at, "验收未通过，隐患重新进入整改，逾期仍在继续")
    for flag in _flags_of(session, hazard_id, Rule.OVERDUE_HAZARD):
        if flag.cause_key == current_key:
            continue
        flag_deadline = date.fromisoformat(flag.evidence["deadline"])
        if status in DONE_BY_UNIT:
            fixed = state["rectified_at"] or state["closed_at"] or at
            ended = campus_time(fixed, campus_tz).date()
            flags.resolve_late(session, flag, flag_deadline, ended, at, "隐患已整改")
        elif deadline != flag_deadline:
            # Extended: late from the old deadline to the day the new one was set.
            moved = state.get("deadline_set_at")
            ended = campus_time(moved, campus_tz).date() if moved else today
            flags.resolve_late(
                session, flag, flag_deadline, ended, at, f"整改期限已延至 {deadline}"
            )


def _overdue(state: Mapping[str, Any]) -> bool:
    """Overdue for the unit: announced on its deadline, the unit's part not done."""
    return bool(
        state["overdue"] and state["deadline"] is not None and state["status"] not in DONE_BY_UNIT
    )


def _raise_overdue(session, state, event, campus_tz) -> None:
    deadline = state["deadline"]
    _raise(
        session,
        Rule.OVERDUE_HAZARD,
        state["unit_code"],
        cause_key(Rule.OVERDUE_HAZARD, state["hazard_id"], deadline),
        state,
        event,
        campus_tz,
        day=deadline + timedelta(days=1),
        evidence={"deadline": deadline.isoformat()},
        at=state.get("overdue_since"),
    )


def _follow_acceptance(session, state, event, campus_tz, at, today, announced=None) -> None:
    hazard_id, status = state["hazard_id"], state["status"]
    if announced is not None and _acceptance_late(announced):
        _raise_late_acceptance(session, announced, event, campus_tz)  # on record, see below
    current_key = _late_acceptance_key(state) if _acceptance_late(state) else None
    if current_key and flags.find(session, current_key) is None:
        _raise_late_acceptance(session, state, event, campus_tz)
    decided = state.get("acceptance_decided_at")
    ended = campus_time(decided, campus_tz).date() if decided else today
    for flag in _flags_of(session, hazard_id, Rule.LATE_ACCEPTANCE):
        # Accepted or rejected, or rectified again after a rejection: that round's
        # acceptance is done.
        if flag.cause_key != current_key and (status != AWAITING_ACCEPTANCE or current_key):
            due = date.fromisoformat(flag.evidence["acceptance_due"])
            flags.resolve_late(session, flag, due, ended, at, "验收已完成")


def _acceptance_late(state: Mapping[str, Any]) -> bool:
    return bool(
        state["acceptance_overdue"]
        and state["status"] == AWAITING_ACCEPTANCE
        and state["acceptance_due"]
    )


def _late_acceptance_key(state: Mapping[str, Any]) -> str:
    """One per rectification round (the round's rectification time names it)."""
    rectified = state["rectified_at"] or state["found_at"]
    return cause_key(Rule.LATE_ACCEPTANCE, state["hazard_id"], rectified.isoformat())


def _raise_late_acceptance(session, state, event, campus_tz) -> None:
    _raise(
        session,
        Rule.LATE_ACCEPTANCE,
        state["acceptor_unit"] or state["unit_code"],
        _late_acceptance_key(state),
        state,
        event,
        campus_tz,
        day=state["acceptance_due"] + timedelta(days=1),
        cell=False,
        evidence={
            "acceptance_due": state["acceptance_due"].isoformat(),
            "hazard_unit": state["unit_code"],
        },
        at=state.get("acceptance_overdue_since"),
    )


def _follow_major(session, state, event, campus_tz, at, today, announced) -> None:
    hazard_id, status = state["hazard_id"], state["status"]
    source = announced or state
    # Judged by the announcing event's own state: announced late, it is still on record.
    if event.type == "hazard.major_unresolved" and source["status"] not in DONE_BY_UNIT:
        reason = source.get("major_unresolved_reason")
        parts: list[object] = [hazard_id]
        evidence: dict[str, Any] = {"found_at": state["found_at"].isoformat(), "reason": reason}
        if reason == "plan_overdue" and source.get("plan_deadline"):
            parts += [reason, source["plan_deadline"]]
            evidence["deadline"] = source["plan_deadline"].isoformat()
        elif reason:
            parts.append(reason)
        day = campus_time(event.occurred_at, campus_tz).date()
        evidence.setdefault("deadline", (day - timedelta(days=1)).isoformat())
        key = cause_key(Rule.MAJOR_UNRESOLVED, *parts)
        _raise(
            session,
            Rule.MAJOR_UNRESOLVED,
            state["unit_code"],
            key,
            state,
            event,
            campus_tz,
            day=day,
            evidence=evidence,
        )
    for flag in _flags_of(session, hazard_id, Rule.MAJOR_UNRESOLVED):
        reason = flag.evidence.get("reason")
        deadline = date.fromisoformat(flag.evidence["deadline"])
        if status not in DONE_BY_UNIT and _major_cause_holds(state, flag):
            # A fix rejected at acceptance: the hazard is unresolved again, on the same cause.
            flags.reopen(session, flag, at, "验收未通过，重大隐患仍未解决")
        elif status in DONE_BY_UNIT:
            fixed = state["rectified_at"] or state["closed_at"] or at
            ended = campus_time(fixed, campus_tz).date()
            flags.resolve_late(session, flag, deadline, ended, at, "重大隐患已整改")
        elif reason == "no_plan" and state["plan_deadline"] is not None:
            approved = state.get("plan_approved_at")
            ended = campus_time(approved, campus_tz).date() if approved else today
            flags.resolve_late(session, flag, deadline, ended, at, "整改计划已批准")
        elif (
            reason == "plan_overdue"
            and state["plan_deadline"] is not None
            and (state["plan_deadline"].isoformat() != flag.evidence.get("deadline"))
        ):
            flags.resolve_late(
                session, flag, deadline, today, at, f"整改计划期限已调整至 {state['plan_deadline']}"
            )


def _major_cause_holds(state: Mapping[str, Any], flag: Flag) -> bool:
    """The state still announces the flag's cause (its reason, and for a plan past its
    deadline, that same deadline)."""
    reason = flag.evidence.get("reason")
    if state.get("major_unresolved_reason") != reason:
        return False
    if reason == "plan_overdue":
        plan = state.get("plan_deadline")
        return plan is not None and plan.isoformat() == flag.evidence.get("deadline")
    return True


def _raise(
    session: Session,
    rule: Rule,
    unit_code: str,
    key: str,
    state: Mapping[str, Any],
    event: Envelope,
    campus_tz: str,
    *,
    day: date,
    evidence: dict[str, Any],
    cell: bool = True,
    at: datetime | None = None,
) -> None:
    """Raise ``rule``'s flag for the hazard in ``state``, dated when the state says the
    cause began (``at``), else when the event announcing it happened."""
    flags.raise_flag(
        session,
        rule,
        unit_code,
        key,
        campaign_id=_campaign(session, state, day, campus_tz),
        cell_id=state["cell_id"] if cell else None,
        rectifier=_person(state) if cell else None,
        day=day,
        at=at or event.occurred_at,
        evidence={
            "hazard_id": state["hazard_id"],
            "number": state["number"],
            "status": state["status"],
            "event_id": event.id,
            **evidence,
        },
    )


def _campaign(session: Session, state: Mapping[str, Any], day: date, campus_tz: str) -> str | None:
    """The campaign running on the day the cause arose (a hazard found before the campaign
    and overdue during it is the campaign's); else the one of the day it was found."""
    return commands.campaign_of(session, day) or commands.campaign_of(
        session, campus_time(state["found_at"], campus_tz).date()
    )


def _person(state: Mapping[str, Any]) -> tuple[str | None, str | None]:
    return state["responsible_person_id"], state["responsible_person_name"]


def apply_activity(session: Session, event: Envelope) -> None:
    data = event.data
    values = {**data, "starts_at": _moment(data["starts_at"]), "ends_at": _moment(data["ends_at"])}
    upsert_newer(session, ActivityProjection, "activity_id", values, event.sequence)


def apply_drill_result(session: Session, event: Envelope) -> None:
    data = event.data
    values = {**data, "completed_at": _moment(data["completed_at"])}
    upsert_newer(session, DrillResultProjection, "drill_id", values, event.sequence)


def apply_unit(session: Session, event: Envelope) -> None:
    """The grid's copy of the unit, and when the grid first announced it."""
    GRID_EVENT_HANDLERS["unit.changed"](session, event)
    flags.record_unit_joined(session, event.data["code"], event.occurred_at)


def event_handlers(campus_tz: str) -> dict[str, Handler]:
    """The reporting service's handlers, with campus dates in ``campus_tz``."""
    hazard = BatchHandler(
        partial(apply_hazard_state, campus_tz=campus_tz),
        partial(apply_hazard_states, campus_tz=campus_tz),
    )
    return {
        **GRID_EVENT_HANDLERS,
        **REVOCATION_HANDLERS,
        "unit.changed": apply_unit,
        **{event_type: hazard for event_type in HAZARD_EVENT_TYPES},
        "activity.scheduled": apply_activity,
        "activity.held": apply_activity,
        "activity.cancelled": apply_activity,
        "drill.completed": apply_drill_result,
        **INCIDENT_HANDLERS,
        **LETTER_HANDLERS,
        **PLAN_HANDLERS,
    }


def make_handlers(settings: Settings) -> dict[str, Handler]:
    """The reporting worker's handlers, with campus dates in its settings' time zone; with
    a province link, a major hazard's change also goes to the province outbox."""
    from services.reporting.province.link import province_link

    handlers = event_handlers(settings.campus_timezone)
    link = province_link(settings)
    if link is None:
        return handlers
    from services.reporting.province.handlers import with_province

    return with_province(handlers, HAZARD_EVENT_TYPES, link, settings.campus_timezone)
