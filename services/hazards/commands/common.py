"""What every use case of the ledger shares: the system as an actor, the rules' policy
from the settings, and loading a hazard the caller may see."""

from __future__ import annotations

from sqlalchemy import select
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
    # Its lead departments in the same query (every view and event shows them); the lock
    # is the hazard row's alone (FOR UPDATE OF: the leads are the outer join's side).
    stmt = select(Hazard).where(Hazard.id == hazard_id).options(joinedload(Hazard.leads))
    if extensions:
        stmt = stmt.options(joinedload(Hazard.extension_requests))
    if lock:
        stmt = stmt.with_for_update(of=Hazard)
    hazard = session.scalars(stmt).unique().one_or_none()
    if hazard is None:
        raise NotFound(f"隐患 {hazard_id} 不存在")
    access.require_visible(principal, hazard)
    return hazard
