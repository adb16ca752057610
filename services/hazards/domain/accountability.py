"""Who answers for each delay (issue 12), and when lateness is announced.

- The unit answers for its deadline until it has rectified (``is_overdue``).
- The acceptor a late acceptance is charged to (``acceptor_unit``) is always one who may
  accept: the first lead department that is not the hazard's unit, else the security
  office's unit; it has ``Policy.acceptance_working_days`` working days from the campus date
  of the rectification.
- 重大安全隐患悬而不决 follows the plan: a hazard that cannot be fixed at once gets a
  rectification plan (整改计划, with its 时限 and interim 管控措施), and a major hazard is
  judged against it once a judge has approved it (``plan_awaits_approval``; the unit does
  not approve its own plan), not against the day it was found (``major_unresolved``).
- Severity is never changed silently (``check_severity_change``): old → new and the
  reason go into the history; only the security office lowers a major hazard.
- Lateness is announced once per cause (``overdue_unannounced``,
  ``acceptance_late_unannounced``, ``major_unannounced``), by the sweep or, when a step would
  end it before the sweep saw it, by that step first: the fact stays on record.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum

from services.hazards.domain.deadlines import deadline_passed, is_overdue
from services.hazards.domain.loop import (
    SEVERITY_LABELS,
    UNIT_STAGES,
    InvalidTransition,
    SameActor,
    Severity,
    Status,
)
from shared.errors import DomainError, Forbidden
from shared.principal import LEAD_DEPARTMENT, SECURITY_OFFICE, UNIT_MANAGER


# -- acceptance (验收) ----------------------------------------------------------------------
def acceptor_unit(leads: Iterable[str], hazard_unit: str, security_office_unit: str) -> str:
    """Who is expected to accept (验收), and is charged with a late acceptance: the first
    lead department of the hazard that is not the hazard's own unit, else the security
    office (it accepts a lead department's own hazards)."""
    return next((lead for lead in leads if lead != hazard_unit), security_office_unit)


def acceptance_flagged(status: str, reopen_count: int, notified_round: int | None) -> bool:
    """Announced late for acceptance in this rectification round and still awaiting it."""
    return status == Status.RECTIFIED and notified_round == reopen_count


def overdue_flagged(status: str, deadline: date | None, notified_for: date | None) -> bool:
    """Announced overdue for its current deadline and the unit has not rectified yet (an
    extension clears it; awaiting acceptance is not the unit's time)."""
    return deadline is not None and notified_for == deadline and status in UNIT_STAGES


# -- severity (no silent downgrade) -------------------------------------------------------
class SameSeverity(DomainError):
    status = 422
    title = "Severity unchanged"


def check_severity_change(
    roles: Iterable[str],
    unit: str | None,
    hazard_unit: str,
    leads: Iterable[str],
    old: Severity,
    new: Severity,
) -> None:
    """No silent downgrade: only the security office lowers a major hazard to general; a
    hazard is raised to major by the security office, the unit's manager or a lead
    department of its category."""
    if old == new:
        raise SameSeverity(
            f"该隐患已是{SEVERITY_LABELS[new]}",
            invalid_params=[{"name": "severity", "reason": "与当前等级相同", "location": "json"}],
        )
    held = set(roles)
    if SECURITY_OFFICE in held:
        return
    if old == Severity.MAJOR:
        raise Forbidden("只有安全保卫处可以把重大隐患降为一般隐患")
    if (UNIT_MANAGER in held and unit == hazard_unit) or (
        LEAD_DEPARTMENT in held and unit is not None and unit in leads
    ):
        return
    raise Forbidden("把隐患升为重大隐患须由安全保卫处、该单位负责人或该类别的牵头部门办理")


def severity_comment(old: Severity, new: Severity, reason: str) -> str:
    """What the history says: 一般隐患 → 重大隐患：<reason>."""
    return f"{SEVERITY_LABELS[old]} → {SEVERITY_LABELS[new]}：{reason}"


# -- the rectification plan and 悬而不决 ----------------------------------------------------
class MajorUnresolved(StrEnum):
    NO_PLAN = "no_plan"  # no approved rectification plan in time
    PLAN_OVERDUE = "plan_overdue"  # past the approved plan's deadline


def major_unresolved(
    severity: Severity,
    status: Status,
    major_since: date | None,
    plan_deadline: date | None,
    today: date,
    plan_days: int,
) -> MajorUnresolved | None:
    """重大安全隐患悬而不决, judged against the approved rectification plan (整改计划):
    a major hazard its unit has not rectified that, more than ``plan_days`` days after the
    campus date it was registered as major (``major_since``), has no approved plan; or that
    is past its approved plan's deadline (``plan_deadline``: ``approved_plan_deadline``).
    None when neither holds (or before registration)."""
    if severity != Severity.MAJOR or status not in UNIT_STAGES:
        return None
    if plan_deadline is None:
        if major_since is not None and today > major_since + timedelta(days=plan_days):
            return MajorUnresolved.NO_PLAN
        return None
    return MajorUnresolved.PLAN_OVERDUE if today > plan_deadline else None


def approved_plan_deadline(plan_deadline: date | None, approved_at: datetime | None) -> date | None:
    """The deadline a major hazard is judged against: its plan's, once approved."""
    return plan_deadline if approved_at is not None else None


def plan_awaits_approval(
    status: str, plan_deadline: date | None, approved_at: datetime | None
) -> bool:
    """A rectification plan (整改计划) written at the start of remediation, not yet approved
    by a judge (``check_judge``), while the unit still owes the fix."""
    return status in UNIT_STAGES and plan_deadline is not None and approved_at is None


def check_plan_approval(
    status: str,
    plan_deadline: date | None,
    approved_at: datetime | None,
    approver: str,
    author: str | None,
) -> None:
    """Approve only a plan that awaits approval, and never one's own plan."""
    if not plan_awaits_approval(status, plan_deadline, approved_at):
        detail = "整改计划已批准" if approved_at is not None else "没有待批准的整改计划"
        raise InvalidTransition(detail, current_status=str(status))
    if author is not None and approver == author:
        raise SameActor("整改计划不能由编写人本人批准")


def plan_approval_comment(plan_deadline: date | None, comment: str | None) -> str:
    """What the history says of an approved plan."""
    approved = f"批准整改计划：时限 {plan_deadline}"
    return f"{approved}（{comment}）" if comment else approved


# -- announcing lateness, once per cause --------------------------------------------------
def overdue_unannounced(
    status: Status, deadline: date | None, notified_for: date | None, today: date
) -> bool:
    """The unit is late on its current deadline and that was not announced yet."""
    return is_overdue(status, deadline, today) and notified_for != deadline


def acceptance_late_unannounced(
    status: Status,
    acceptance_due: date | None,
    reopen_count: int,
    notified_round: int | None,
    today: date,
) -> bool:
    """The acceptor is past its due date in this round, not announced yet."""
    return (
        status == Status.RECTIFIED
        and deadline_passed(acceptance_due, today)
        and notified_round != reopen_count
    )


def major_unannounced(
    reason: MajorUnresolved | None,
    no_plan_notified: bool,
    plan_deadline: date | None,
    plan_overdue_notified_for: date | None,
) -> MajorUnresolved | None:
    """The 悬而不决 cause ``reason`` if not announced yet: no plan once, past the plan's
    deadline once per plan deadline."""
    if reason == MajorUnresolved.NO_PLAN and not no_plan_notified:
        return reason
    if reason == MajorUnresolved.PLAN_OVERDUE and plan_overdue_notified_for != plan_deadline:
        return reason
    return None


def major_reason_in_force(
    severity: str,
    status: str,
    plan_deadline: date | None,
    no_plan_notified: bool,
    plan_overdue_notified_for: date | None,
) -> str | None:
    """The reason the hazard was announced 悬而不决, while it still holds (a plan since
    approved ends ``no_plan``; a moved plan deadline ends ``plan_overdue``).
    ``plan_deadline`` is the approved plan's (``approved_plan_deadline``)."""
    if severity != Severity.MAJOR or status not in UNIT_STAGES:
        return None
    if plan_deadline is None:
        return MajorUnresolved.NO_PLAN.value if no_plan_notified else None
    if plan_overdue_notified_for == plan_deadline:
        return MajorUnresolved.PLAN_OVERDUE.value
    return None
