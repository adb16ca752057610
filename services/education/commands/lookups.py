"""Loading what a use case acts on: an activity within the caller's scope, grid units."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.education import domain
from services.education.access import require_readable
from services.education.models import Activity, PlanCopy
from shared.errors import DomainError, NotFound
from shared.grid_projection import GridUnit
from shared.principal import Principal


class UnknownUnit(DomainError):
    status = 422
    title = "Unknown unit or place"


def get_activity(
    session: Session, principal: Principal, activity_id: str, lock: bool = False
) -> Activity:
    activity = session.get(Activity, activity_id, with_for_update=lock)
    if activity is None:
        raise NotFound(f"活动 {activity_id} 不存在")
    require_readable(principal, activity)
    return activity


def require_units(session: Session, codes: list[str], field: str) -> None:
    """Units come from the grid's projection; an unknown one is a 422 naming ``field``."""
    known = set(session.scalars(select(GridUnit.code).where(GridUnit.code.in_(set(codes)))))
    missing = [c for c in dict.fromkeys(codes) if c not in known]
    if missing:
        raise UnknownUnit(
            f"网格中没有这些单位：{'、'.join(missing)}",
            invalid_params=[{"name": field, "reason": f"没有单位 {c}"} for c in missing],
        )


def require_plan_in_force(session: Session, plan_id: str | None) -> None:
    """The drill's emergency plan, as hazards last announced it, is not withdrawn."""
    if not plan_id:
        return
    plan = session.get(PlanCopy, plan_id)
    domain.check_plan_in_force(plan_id, plan and plan.status, plan and plan.title)
