"""What each step of the loop writes, as data: ``EFFECTS`` maps every action to its
effect, and ``services.hazards.commands.loop.transition`` applies any of them the same way.

An effect reads the hazard (``LoopFacts``) and the step's payload and returns a ``Step``:
the hazard's new field values, the history's comment and, for 登记评估, the severity it
grades (a re-grade is recorded as its own change first). It checks what the step needs
(422) before it returns; stage, actor and judge are checked before it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from services.hazards.domain.accountability import acceptor_unit
from services.hazards.domain.deadlines import (
    Policy,
    add_working_days,
    check_deadline_step,
    deadline_change,
)
from services.hazards.domain.loop import (
    Action,
    Severity,
    check_remediation_plan,
    check_required,
)
from shared.timeutil import campus_time

REGISTRATION = "登记评估"  # the reason a re-grade at registration is recorded with


class LoopFacts(Protocol):
    """What an effect reads of the hazard."""

    deadline: date | None
    severity: str
    unit_code: str
    reopen_count: int

    @property
    def lead_departments(self) -> list[str]: ...


@dataclass(frozen=True)
class Step:
    """What a step writes: ``changes`` (field → new value), the history's ``comment``, and
    the ``severity`` it grades the hazard to (None: it grades nothing) with its reason."""

    changes: dict[str, Any] = field(default_factory=dict)
    comment: str | None = None
    severity: Severity | None = None
    severity_reason: str = REGISTRATION


Apply = Callable[[LoopFacts, Mapping[str, Any], datetime, Policy], Step]


@dataclass(frozen=True)
class Effect:
    """One action's effect: ``apply`` computes it; ``judges_work`` marks the acceptance
    review (judged outside the unit, never by anyone who rectified); ``ends_lateness`` a
    step after which the sweep could no longer see a lateness that ran before it, so that
    lateness is announced first."""

    apply: Apply
    judges_work: bool = False
    ends_lateness: bool = False


def _comment(payload: Mapping[str, Any]) -> str | None:
    return payload.get("comment")


def _register(hazard: LoopFacts, payload: Mapping[str, Any], now: datetime, _: Policy) -> Step:
    """登记评估: a deadline (given now or when reported, only ever brought forward) and the
    severity; a major hazard's plan clock starts at its registration."""
    deadline = payload.get("deadline") or hazard.deadline
    check_required({"deadline": deadline}, "deadline")
    check_deadline_step(hazard.deadline, payload.get("deadline"))
    severity = Severity(payload.get("severity") or hazard.severity)
    changes = {**deadline_change(hazard.deadline, deadline, now), "registered_at": now}
    if severity == Severity.MAJOR:
        changes["major_since"] = now  # the plan is due within the days after registration
    comment = _comment(payload)
    return Step(changes, comment, severity, comment or REGISTRATION)


def _report(hazard: LoopFacts, payload: Mapping[str, Any], now: datetime, _: Policy) -> Step:
    return Step({}, _comment(payload))


def _start_remediation(
    hazard: LoopFacts, payload: Mapping[str, Any], now: datetime, _: Policy
) -> Step:
    """治理: the four implementations (四落实); a hazard that cannot be fixed at once also
    gets a rectification plan (整改计划), judged against once a judge approves it."""
    plan = {
        "responsible_person": payload.get("responsible_person"),
        "measures": payload.get("measures"),
        "deadline": payload.get("deadline") or hazard.deadline,
        "contingency_plan": payload.get("contingency_plan"),
        "quick_fix": payload.get("quick_fix", True),
        "rectification_plan": payload.get("rectification_plan"),
        "interim_measures": payload.get("interim_measures"),
    }
    check_remediation_plan(plan)
    check_deadline_step(hazard.deadline, plan["deadline"])
    changes = {
        "remediation_person": plan["responsible_person"],
        "measures": plan["measures"],
        **deadline_change(hazard.deadline, plan["deadline"], now),
        "contingency_plan": plan["contingency_plan"],
        "quick_fix": plan["quick_fix"],
        "rectification_plan": plan["rectification_plan"],
        "interim_measures": plan["interim_measures"],
    }
    if not plan["quick_fix"]:  # the unit does not approve its own plan
        changes.update(plan_deadline=plan["deadline"], plan_approved_at=None)
    return Step(changes, _comment(payload))


def _rectify(hazard: LoopFacts, payload: Mapping[str, Any], now: datetime, policy: Policy) -> Step:
    """整改完成 with its evidence: 待验收, the acceptor's time starts and its due date is
    fixed now."""
    check_required(payload, "evidence")
    rectified_on = campus_time(now, policy.campus_tz).date()
    changes = {
        "evidence": payload["evidence"],
        "rectified_at": now,
        "acceptance_due": add_working_days(rectified_on, policy.acceptance_working_days),
        "acceptor_unit": acceptor_unit(
            hazard.lead_departments, hazard.unit_code, policy.security_office_unit
        ),
    }
    return Step(changes, _comment(payload) or payload["evidence"])


def _decided(now: datetime) -> dict[str, Any]:
    return {"acceptance_due": None, "acceptance_decided_at": now}  # this round is judged


def _accept(hazard: LoopFacts, payload: Mapping[str, Any], now: datetime, _: Policy) -> Step:
    return Step(_decided(now), _comment(payload))


def _reject(hazard: LoopFacts, payload: Mapping[str, Any], now: datetime, _: Policy) -> Step:
    """验收不通过, with the reason: back to remediation, one more reopening."""
    check_required(payload, "reason")
    return Step({**_decided(now), "reopen_count": hazard.reopen_count + 1}, payload["reason"])


def _stamp(column: str) -> Apply:
    """A step that only records when it was taken (销号, 备案存档)."""

    def apply(hazard: LoopFacts, payload: Mapping[str, Any], now: datetime, _: Policy) -> Step:
        return Step({column: now}, _comment(payload))

    return apply


EFFECTS: dict[Action, Effect] = {
    Action.REGISTER: Effect(_register),
    Action.REPORT: Effect(_report),
    Action.START_REMEDIATION: Effect(_start_remediation),
    Action.RECTIFY: Effect(_rectify, ends_lateness=True),
    Action.ACCEPT: Effect(_accept, judges_work=True, ends_lateness=True),
    Action.REJECT: Effect(_reject, judges_work=True, ends_lateness=True),
    Action.CLOSE: Effect(_stamp("closed_at")),
    Action.ARCHIVE: Effect(_stamp("archived_at")),
}
# The steps that judge the unit's work (验收): never by the hazard's own unit.
JUDGEMENTS = frozenset(action for action, effect in EFFECTS.items() if effect.judges_work)
# The steps that announce the lateness running until them first (announce_lateness).
ENDS_LATENESS = frozenset(action for action, effect in EFFECTS.items() if effect.ends_lateness)
