"""What every use case of the ledger shares: the system as an actor, the rules' policy
from the settings, and loading a hazard the caller may see."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, joinedload

from services.hazards import access, domain
from services.hazards.models import Hazard
from shared.config import Settings
from shared.errors import NotFound
from shared.principal import SECURITY_OFFICE, Principal

# The actor of what the ledger does by itself: hazards opened from events and sweeps,
# lateness announced.
SYSTEM = Principal("system", "系统", frozenset({SECURITY_OFFICE}), None)


def policy_of(settings: Settings) -> domain.Policy:
    """The rules' configurable parts from the service's settings."""
    return domain.Policy(
        campus_tz=settings.campus_timezone,
        acceptance_working_days=settings.acceptance_working_days,
        major_plan_days=settings.major_plan_days,
        security_office_unit=settings.security_office_unit,
    )


def get_hazard(
    session: Session,
    principal: Principal,
    hazard_id: str,
    lock: bool = False,
    extensions: bool = False,
) -> Hazard:
    """The hazard, 404 if there is none, 403 if ``principal`` may not see it; with its
    extension requests (``Hazard.extension_requests``) if ``extensions``."""
    stmt = _hazard_query(lock, extensions)
    hazard = session.scalars(stmt, {"hazard_id": hazard_id}).unique().one_or_none()
    if hazard is None:
        raise NotFound(f"隐患 {hazard_id} 不存在")
    access.require_visible(principal, hazard)
    return hazard


@cache
def _hazard_query(lock: bool, extensions: bool) -> Select[tuple[Hazard]]:
    """``get_hazard``'s query, built once per kind (not per request): the hazard with its
    lead departments (every view and event shows them), its extension requests if asked;
    the lock is the hazard row's alone (FOR UPDATE OF: the rest are outer joins)."""
    stmt = select(Hazard).where(Hazard.id == bindparam("hazard_id"))
    stmt = stmt.options(joinedload(Hazard.leads))
    if extensions:
        stmt = stmt.options(joinedload(Hazard.extension_requests))
    return stmt.with_for_update(of=Hazard) if lock else stmt
