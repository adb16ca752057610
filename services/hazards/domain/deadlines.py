"""Deadlines (限期) and the calendar they run on: the unit's deadline, the acceptor's
working days, and extensions (延期申请).

The deadline is first set at 登记评估; the loop's own steps may afterwards only keep it or
bring it forward — a later one goes through an extension (``check_deadline_step``).
Extensions are decided by the judges (``check_extension_decider``), and once the current
deadline has passed only the security office asks for or decides one
(``check_extension_request``): lateness that already ran cannot be laundered by a
colleague, and the request records whether it was asked after the deadline. One request
waits at a time (``check_no_pending_extension``), and it must still lengthen the deadline
when it is decided (``check_extension_lengthens``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.hazards.domain.loop import UNIT_STAGES, Status, check_judge
from shared.errors import DomainError, Forbidden
from shared.principal import SECURITY_OFFICE


@dataclass(frozen=True)
class Policy:
    """The configurable parts of the rules (shared.config.Settings supplies them)."""

    campus_tz: str = "Asia/Shanghai"
    acceptance_working_days: int = 3
    major_plan_days: int = 7
    security_office_unit: str = "BWC"


def deadline_passed(deadline: date | None, today: date) -> bool:
    return deadline is not None and today > deadline


def is_overdue(status: Status, deadline: date | None, today: date) -> bool:
    """The unit is late: its deadline (a campus calendar date) is past — overdue from the
    day after it — and it has not rectified yet (awaiting acceptance is not its time).
    SQL twin: services.hazards.queries.overdue."""
    return status in UNIT_STAGES and deadline_passed(deadline, today)


def days_overdue(status: Status, deadline: date | None, today: date) -> int:
    """How many days the unit is late (``is_overdue``): 1 on the day after the deadline;
    0 when it is not overdue."""
    if not is_overdue(status, deadline, today):
        return 0
    return (today - deadline).days  # type: ignore[operator]  # is_overdue: a deadline


def add_working_days(start: date, days: int) -> date:
    """The day ``days`` working days (Monday to Friday) after ``start``: rectified on a
    Friday with 3 days, due the next Wednesday. Public holidays are not known here."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def deadline_change(current: date | None, new: date | None, now: datetime) -> dict[str, object]:
    """The hazard's fields a new deadline changes: the deadline and when it was set (a
    deadline kept changes nothing)."""
    return {} if new == current else {"deadline": new, "deadline_set_at": now}


class DeadlinePushedOut(DomainError):
    status = 422
    title = "整改期限只能通过延期申请推后"


def check_deadline_step(current: date | None, new: date | None) -> None:
    """登记评估 sets the first deadline; afterwards the loop's steps (registration over a
    deadline given when reported, the start of remediation) may keep it or bring it
    forward, never push it out: a later deadline is an extension (延期申请), judged outside
    the unit, or a unit could move its own deadline past the day it is late."""
    if current is None or new is None or new <= current:
        return
    reason = f"整改期限只能通过延期申请推后（现为 {current}）"
    raise DeadlinePushedOut(
        f"此步骤不能把整改期限从 {current} 改到 {new}：{reason}",
        invalid_params=[{"name": "deadline", "reason": reason, "location": "json"}],
    )


# -- extensions (延期申请) ----------------------------------------------------------------
class ExtensionConflict(DomainError):
    status = 409
    title = "Extension conflict"


def check_extension_request(roles: Iterable[str], deadline: date | None, today: date) -> bool:
    """An extension is asked before the deadline; once it has passed only the security
    office asks (lateness that ran stays). Returns whether it is asked after the deadline."""
    late = deadline_passed(deadline, today)
    if late and SECURITY_OFFICE not in set(roles):
        raise Forbidden(f"整改期限 {deadline} 已过，现在只有安全保卫处可以申请延期")
    return late


def check_no_pending_extension(pending_id: str | None, pending_deadline: date | None) -> None:
    """One extension request waits at a time: a second one would be decided against a
    deadline the first may already have moved."""
    if pending_id is not None:
        raise ExtensionConflict(
            f"延期申请 {pending_id}（延至 {pending_deadline}）尚待审批，"
            "一次只能有一份待审批的延期申请",
            pending_request_id=pending_id,
        )


def check_extension_lengthens(requested: date, current: date | None, field: str | None) -> None:
    """An extension moves the deadline later: when asked, and again when decided (the
    deadline may have moved since, e.g. brought forward) — approving never shortens it.
    ``field`` names the request's field, when there is one to name."""
    if current is None or requested > current:
        return
    reason = f"不晚于现在的整改期限（{current}）"
    extra: dict[str, object] = {
        "current_deadline": current.isoformat(),
        "requested_deadline": requested.isoformat(),
    }
    if field:
        extra["invalid_params"] = [{"name": field, "reason": reason, "location": "json"}]
    raise ExtensionConflict(f"申请的期限 {requested} {reason}", **extra)


def check_extension_decider(
    roles: Iterable[str],
    unit: str | None,
    hazard_unit: str,
    leads: Iterable[str],
    deadline: date | None,
    today: date,
) -> None:
    """The judges decide an extension (never the hazard's own unit); once the current
    deadline has passed, only the security office."""
    check_judge(roles, unit, hazard_unit, leads, "延期申请")
    if deadline_passed(deadline, today) and SECURITY_OFFICE not in set(roles):
        raise Forbidden(f"整改期限 {deadline} 已过，现在只有安全保卫处可以审批延期")


def extension_comment(old: date | None, new: date, comment: str | None) -> str:
    """What the history says of an approved extension."""
    moved = f"延期：整改期限 {old or '未定'} → {new}"
    return f"{moved}（{comment}）" if comment else moved
