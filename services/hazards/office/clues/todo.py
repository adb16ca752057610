"""我的待办 for the security office: the open clues with no follow-up in the configured
days (``domain.is_stale``). An item names the clue by kind and date only, never its text:
the to-do is merged and shown outside the ledger's pages."""

from __future__ import annotations

import os
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.hazards.office.clues import domain, queries
from services.hazards.office.models import Clue
from shared.principal import SECURITY_OFFICE, Principal
from shared.todo import TodoItem

KIND = "follow_up_clue"
KIND_LABEL = "跟进线索"
DEFAULT_FOLLOW_UP_DAYS = domain.DEFAULT_FOLLOW_UP_DAYS


def stale_items(session: Session, principal: Principal, today: date, days: int) -> list[TodoItem]:
    """The clues waiting for a follow-up, for the security office only (nobody else may
    even know how many there are beyond the counts)."""
    if SECURITY_OFFICE not in principal.roles:
        return []
    clues = session.scalars(
        select(Clue).where(queries.stale(today, days)).order_by(Clue.last_activity_on, Clue.id)
    )
    items = []
    for clue in clues:
        due = domain.follow_up_due(clue.last_activity_on, days)
        title = (
            f"线索（{domain.KINDS.get(clue.kind, clue.kind)}，{clue.received_on.isoformat()} 收到，"
            f"{domain.STATUSES.get(clue.status, clue.status)}）{days} 天未跟进"
        )
        items.append(TodoItem(KIND, KIND_LABEL, title, due, due < today, {"clue_id": clue.id}))
    return items


def follow_up_days(settings: object) -> int:
    """The to-do's clock (CAMPUS_CLUE_FOLLOW_UP_DAYS or the ``clue_follow_up_days``
    override; default 14 days)."""
    extra = getattr(settings, "extra", {}) or {}
    raw = extra.get("clue_follow_up_days") or os.environ.get("CAMPUS_CLUE_FOLLOW_UP_DAYS")
    try:
        days = int(raw) if raw not in (None, "") else domain.DEFAULT_FOLLOW_UP_DAYS
    except (TypeError, ValueError):
        return domain.DEFAULT_FOLLOW_UP_DAYS
    return max(days, 1)
