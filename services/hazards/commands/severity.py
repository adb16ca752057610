"""Re-grading a hazard (一般隐患 ↔ 重大隐患): never silent — old → new and the reason go into
its history and its event; only the security office lowers a major hazard."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.hazards import domain
from services.hazards.commands.common import get_hazard
from services.hazards.commands.events import record
from services.hazards.commands.lateness import announce_lateness
from services.hazards.domain import Status
from services.hazards.models import Hazard
from shared.errors import check_version
from shared.principal import Principal
from shared.timeutil import utcnow


def change_severity(
    session: Session,
    principal: Principal,
    hazard_id: str,
    severity: str,
    reason: str,
    if_match: int | None = None,
    *,
    now: datetime | None = None,
    policy: domain.Policy | None = None,
) -> Hazard:
    """Re-grade a hazard: old → new and the reason go into its history and its event;
    only the security office lowers a major hazard."""
    now, policy = now or utcnow(), policy or domain.Policy()
    hazard = get_hazard(session, principal, hazard_id, lock=True)
    check_version(hazard, if_match, "隐患")
    domain.check_open(Status(hazard.status))
    domain.check_required({"reason": (reason or "").strip()}, "reason")
    new = domain.Severity(severity)
    if hazard.severity == domain.Severity.MAJOR and new != hazard.severity:
        # Lowering a major hazard ends 悬而不决: what ran before is announced first.
        announce_lateness(session, hazard, now, policy)
    regrade(session, principal, hazard, new, reason, now)
    return hazard


def regrade(
    session: Session,
    principal: Principal,
    hazard: Hazard,
    new: domain.Severity,
    reason: str,
    now: datetime,
) -> None:
    """Record the change of severity (the re-grade of 登记评估 too) in its own event."""
    old = domain.Severity(hazard.severity)
    domain.check_severity_change(
        principal.roles, principal.unit, hazard.unit_code, hazard.lead_departments, old, new
    )
    hazard.severity = new.value
    # Raised to major: the plan clock starts now; lowered: no clock.
    hazard.major_since = now if new == domain.Severity.MAJOR else None
    hazard.version += 1
    record(
        session,
        hazard,
        "hazard.severity_changed",
        principal,
        action=domain.CHANGE_SEVERITY,
        previous=hazard.status,
        comment=domain.severity_comment(old, new, reason),
        at=now,
    )
