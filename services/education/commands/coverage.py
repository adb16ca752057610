"""Coverage: which units of the grid had activities of a kind in a period (the gaps)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.education.domain import Status
from services.education.models import Activity, ActivityTarget
from shared.grid_projection import GridUnit
from shared.principal import Principal


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
