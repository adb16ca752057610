"""我的待办 in education: activities that took place and wait for their record — a drill's
results (演练结果), another activity marked held (已举办) — for those who manage them.

No rule of its own: the activities the caller reads (``access.visible_condition``) that
the caller manages (``access.can_manage``) and whose record the domain would accept now
(``domain.can_record_drill``, ``domain.can_mark_held``). Due on the day the activity
ended; the service sets no deadline for the record, so nothing here is ever overdue.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.education import access, domain
from services.education.models import Activity, DrillResult
from shared.principal import Principal
from shared.todo import TodoItem

RECORD_DRILL = "record_drill"
MARK_HELD = "mark_held"
KIND_LABELS = {RECORD_DRILL: "录入演练结果", MARK_HELD: "登记举办情况"}


def kind_of(activity: Activity, recorded: bool, now: datetime) -> str | None:
    """The record the activity waits for, asked of the domain's own checks."""
    try:
        if activity.kind == domain.Kind.DRILL:
            if recorded:
                return None
            domain.can_record_drill(activity.kind, activity.status, activity.starts_at, now)
            return RECORD_DRILL
        domain.can_mark_held(activity.status, activity.starts_at, now)
        return MARK_HELD
    except domain.InvalidState:
        return None


def todo(session: Session, principal: Principal, now: datetime, tz: str) -> list[TodoItem]:
    """Everything in education waiting for ``principal`` at ``now``."""
    stmt = (
        select(Activity, DrillResult.activity_id)
        .outerjoin(DrillResult, DrillResult.activity_id == Activity.id)
        .where(Activity.starts_at <= now, Activity.status != domain.Status.CANCELLED.value)
        # Candidates only (the domain's checks decide): drills without results, other
        # activities still planned; the held lectures of past years are never loaded.
        .where(
            ((Activity.kind == domain.Kind.DRILL.value) & DrillResult.activity_id.is_(None))
            | (Activity.status == domain.Status.PLANNED.value)
        )
    )
    visible = access.visible_condition(principal)
    if visible is not None:
        stmt = stmt.where(visible)
    items = []
    for activity, result in session.execute(stmt):
        if not access.can_manage(principal, activity.organiser_unit):
            continue
        kind = kind_of(activity, result is not None, now)
        if kind is None:
            continue
        ended = activity.ends_at.astimezone(ZoneInfo(tz)).date()
        title = f"{activity.title}（{domain.KIND_LABELS[domain.Kind(activity.kind)]}）"
        target = {"activity_id": activity.id}
        items.append(TodoItem(kind, KIND_LABELS[kind], title, ended, False, target))
    return items
