"""排查发现: a hazard is reported (by a person, or opened by the ledger from an event or a
sweep), numbered, placed with the person who answers for its place, and announced."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.hazards import access, domain, leads
from services.hazards.commands.common import SYSTEM, get_hazard
from services.hazards.commands.events import announce
from services.hazards.commands.numbering import pending_number
from services.hazards.commands.writes import write_numbered
from services.hazards.domain import Status
from services.hazards.models import Hazard, IdempotencyKey
from shared import idempotency
from shared.errors import DomainError
from shared.grid_projection import GridAssignment, GridCell, accountable_person
from shared.principal import SECURITY_OFFICE, Principal
from shared.timeutil import campus_time, utcnow


class UnknownCell(DomainError):
    status = 422
    title = "Unknown cell"


@dataclass(frozen=True)
class Finding:
    """A report that passed its checks: where, who answers for the place, who leads."""

    unit_code: str
    responsible: GridAssignment | None
    lead_units: list[str]
    found_at: datetime


def create_hazard(
    session: Session,
    principal: Principal,
    *,
    category: str,
    description: str,
    subcategory: str | None = None,
    unit_code: str | None = None,
    cell_id: str | None = None,
    severity: str = domain.Severity.GENERAL,
    location: str | None = None,
    found_at: datetime | None = None,
    deadline: date | None = None,
    campus_tz: str = "Asia/Shanghai",
    source: str = "report",
    source_ref: str | None = None,
    also: Iterable[Callable[[Hazard], None]] = (),
    now: datetime | None = None,
    policy: domain.Policy | None = None,
) -> Hazard:
    """排查发现: number the hazard, resolve who answers for the place, announce it.

    A person's finding date is checked (never in the future); what the system opens (drill
    problems, equipment lapses) comes with the time its source decided. ``also`` writes
    rows of the same transaction before the number is taken (e.g. the Idempotency-Key)."""
    now = now or utcnow()
    finding = _check_report(
        session, principal, category, subcategory, unit_code, cell_id, found_at, now, campus_tz
    )
    hazard = Hazard(
        id=str(uuid.uuid4()),  # known now: the rows below refer to it, written together
        number=pending_number(),
        unit_code=finding.unit_code,
        cell_id=cell_id,
        category=category,
        subcategory=subcategory,
        lead_department=finding.lead_units[0],
        leads=leads.hazard_leads(finding.lead_units),
        severity=str(severity),
        status=Status.DISCOVERED,
        description=description,
        location=location,
        found_by=principal.sub,
        found_at=finding.found_at,
        source=source,
        source_ref=source_ref,
        reporter_unit=reporter_unit(principal, policy or domain.Policy()),
        reopen_count=0,
        version=1,
        **_clocks(severity, deadline, now),
        **_responsible(finding.responsible),
    )
    _, rows = announce(
        hazard, "hazard.created", principal, action=domain.CREATE, previous=None, at=now
    )
    for write in also:  # e.g. the Idempotency-Key row: before the number, outside its lock
        write(hazard)
    write_numbered(session, hazard, rows, domain.number_year(finding.found_at, campus_tz))
    return hazard


def _check_report(
    session: Session,
    principal: Principal,
    category: str,
    subcategory: str | None,
    unit_code: str | None,
    cell_id: str | None,
    found_at: datetime | None,
    now: datetime,
    campus_tz: str,
) -> Finding:
    """Who may report, a sub-category of the category, a finding date not in the future,
    a known place, and the reporter's scope there, in that order."""
    principal.require_role(*access.REPORTER_ROLES)
    domain.check_subcategory(category, subcategory)
    if found_at is not None and principal is not SYSTEM:
        domain.check_found_at(found_at, now)
    found_at = found_at or now
    found_day = campus_time(found_at, campus_tz).date()
    unit_code, responsible = _place(session, unit_code, cell_id, found_day)
    lead_units = leads.leads_of(session, category)  # the campaign's co-leads, first first
    access.require_reporter_scope(session, principal, unit_code, cell_id, lead_units, found_day)
    return Finding(unit_code, responsible, lead_units, found_at)


def _place(
    session: Session, unit_code: str | None, cell_id: str | None, found_day: date
) -> tuple[str, GridAssignment | None]:
    """The hazard's unit (the cell's, when a cell is named) and who answers for the cell on
    the day found; 422 for a cell the grid does not know, or not of the unit named."""
    responsible = None
    if cell_id is not None:
        cell = session.get(GridCell, cell_id)
        if cell is None or cell.unit_code is None:
            raise UnknownCell(
                f"网格（地点）{cell_id} 不在网格中",
                invalid_params=[
                    {"name": "cell_id", "reason": "不是网格中的地点", "location": "json"}
                ],
            )
        if unit_code is not None and unit_code != cell.unit_code:
            raise UnknownCell(
                f"网格（地点）{cell_id} 属于单位 {cell.unit_code}，不属于 {unit_code}",
                invalid_params=[{"name": "unit_code", "reason": "不是该地点所属的单位"}],
            )
        if cell.ended_on is not None and cell.ended_on <= found_day:
            reason = f"该地点已于 {cell.ended_on} 停用"
            raise UnknownCell(
                f"网格（地点）{cell.name} {reason}，请选择所属单位或其他地点",
                invalid_params=[{"name": "cell_id", "reason": reason, "location": "json"}],
            )
        unit_code = cell.unit_code
        responsible = accountable_person(session, cell_id, found_day)
    if unit_code is None:
        raise domain.MissingInformation(
            "隐患须写明地点（cell_id）或单位（unit_code）",
            invalid_params=[{"name": "cell_id", "reason": "须填写地点或单位"}],
        )
    return unit_code, responsible


def _clocks(severity: str, deadline: date | None, now: datetime) -> dict[str, Any]:
    """A deadline given when reported and when it was set; a major hazard's plan clock runs
    from its registration, until then from now."""
    return {
        "deadline": deadline,
        "deadline_set_at": now if deadline else None,
        "major_since": now if severity == domain.Severity.MAJOR else None,
    }


def _responsible(responsible: GridAssignment | None) -> dict[str, Any]:
    return {
        "responsible_person_id": responsible.person_id if responsible else None,
        "responsible_person_name": responsible.person_name if responsible else None,
    }


def reporter_unit(principal: Principal, policy: domain.Policy) -> str | None:
    """The unit that reports: the reporter's own (a lead department inspecting another
    unit names itself), the security office's unit for the office; none for the system."""
    if principal is SYSTEM:
        return None
    if principal.unit:
        return principal.unit
    return policy.security_office_unit if SECURITY_OFFICE in principal.roles else None


def create_once(
    session: Session, principal: Principal, key: str, payload: dict[str, Any], **kwargs: Any
) -> tuple[Hazard, bool]:
    """Create under an Idempotency-Key: a retry returns the first result, creates nothing."""
    scoped = idempotency.scoped_key(principal, key)
    existing = session.get(IdempotencyKey, scoped)
    if existing is not None:
        idempotency.check_same_request(existing.request_hash, payload)
        # The answer GET would give: a caller whose scope changed since gets 403, not data.
        return get_hazard(session, principal, existing.hazard_id), False
    digest = idempotency.request_hash(payload)

    def remember_key(hazard: Hazard) -> None:
        session.add(IdempotencyKey(key=scoped, request_hash=digest, hazard_id=hazard.id))
        session.flush()  # a concurrent twin fails here on the primary key, and retries

    return create_hazard(session, principal, **payload, **kwargs, also=[remember_key]), True
