"""Use cases of the incidents ledger. Each runs in the caller's unit of work; what reporting
counts (``incident.recorded``) and the finding of responsibility
(``incident.responsibility_found``) are written to the outbox in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from services.hazards import commands as ledger
from services.hazards.incidents import access, domain
from services.hazards.incidents.models import Incident, IncidentReport
from services.hazards.models import Hazard
from services.hazards.registers.domain import invalid
from services.hazards.registers.rows import apply_changes
from shared.errors import NotFound, check_version
from shared.events import record_event
from shared.grid_projection import GridUnit
from shared.principal import Principal
from shared.timeutil import campus_time, campus_today, utcnow

EVENT_SOURCE = "hazards"


def _day(moment: datetime, campus_tz: str) -> date:
    return campus_time(moment, campus_tz).date()


def record_incident(
    session: Session,
    principal: Principal,
    *,
    campus_tz: str,
    now: datetime | None = None,
    **fields: Any,
) -> Incident:
    """登记: at a place in use on the incident's day, by the office or the unit's manager."""
    now = now or utcnow()
    day = _day(fields["occurred_at"], campus_tz)
    cell = access.place(session, fields["cell_id"], day)
    access.require_recorder(principal, cell.unit_code)
    domain.check_occurred_at(fields["occurred_at"], now)
    domain.check_casualties(
        fields.get("near_miss", False), fields.get("deaths", 0), fields.get("injuries", 0)
    )
    incident = Incident(
        **fields,
        unit_code=cell.unit_code,
        occurred_on=day,
        recorded_by=principal.sub,
        recorded_by_name=principal.name,
        version=1,
    )
    session.add(incident)
    session.flush()
    _announce_recorded(session, incident, principal, now)
    return incident


def get_incident(
    session: Session, principal: Principal, incident_id: str, lock: bool = False
) -> Incident:
    incident = session.get(Incident, incident_id, with_for_update=lock or None)
    if incident is None:
        raise NotFound(f"事故 {incident_id} 不存在")
    access.require_reader(principal, incident.unit_code)
    return incident


def update_incident(
    session: Session,
    principal: Principal,
    incident_id: str,
    changes: Mapping[str, Any],
    *,
    campus_tz: str,
    if_match: int | None = None,
    now: datetime | None = None,
) -> Incident:
    """Correct what was recorded, until responsibility is found."""
    now = now or utcnow()
    incident = get_incident(session, principal, incident_id, lock=True)
    access.require_recorder(principal, incident.unit_code)
    check_version(incident, if_match, "事故")
    domain.check_open(incident.found_on)
    changes = dict(changes)
    occurred_at = changes.get("occurred_at", incident.occurred_at)
    if "occurred_at" in changes:
        domain.check_occurred_at(occurred_at, now)
        changes["occurred_on"] = _day(occurred_at, campus_tz)
    if "cell_id" in changes and changes["cell_id"] != incident.cell_id:
        cell = access.place(session, changes["cell_id"], _day(occurred_at, campus_tz))
        access.require_recorder(principal, cell.unit_code)
        changes["unit_code"] = cell.unit_code
    domain.check_casualties(
        changes.get("near_miss", incident.near_miss),
        changes.get("deaths", incident.deaths),
        changes.get("injuries", incident.injuries),
    )
    if apply_changes(incident, changes):
        incident.version += 1
        _announce_recorded(session, incident, principal, now)
    return incident


def add_report(
    session: Session,
    principal: Principal,
    incident_id: str,
    *,
    told: str,
    told_at: datetime,
    told_by: str | None = None,
    channel: str | None = None,
    now: datetime | None = None,
) -> IncidentReport:
    """One link of the report chain (who was told, when), by those who record."""
    incident = get_incident(session, principal, incident_id, lock=True)
    access.require_recorder(principal, incident.unit_code)
    domain.check_report_entry(told_at, incident.occurred_at, now or utcnow())
    entry = IncidentReport(
        incident_id=incident.id,
        told=told,
        told_at=told_at,
        told_by=told_by,
        channel=channel,
        recorded_by=principal.sub,
    )
    incident.reports.append(entry)
    session.flush()
    return entry


def investigate(
    session: Session,
    principal: Principal,
    incident_id: str,
    causes: str,
    *,
    if_match: int | None = None,
    now: datetime | None = None,
) -> Incident:
    """事故调查: the causes found (the office; replaced until responsibility is found)."""
    incident = get_incident(session, principal, incident_id, lock=True)
    access.require_office(principal, "事故调查")
    check_version(incident, if_match, "事故")
    domain.check_open(incident.found_on)
    incident.causes = causes
    incident.investigated_by = principal.sub
    incident.investigated_at = now or utcnow()
    incident.version += 1
    return incident


def open_hazard(
    session: Session,
    principal: Principal,
    incident_id: str,
    *,
    campus_tz: str,
    category: str,
    description: str,
    subcategory: str | None = None,
    severity: str = "general",
    cell_id: str | None = None,
    location: str | None = None,
) -> Hazard:
    """A hazard the incident revealed, opened by the hazard ledger's own report command (its
    rules apply: category, place, scope, numbering, the responsible person, hazard.created)
    in this transaction, as source "incident" with source_ref "<incident id>:<n>"."""
    incident = get_incident(session, principal, incident_id, lock=True)  # serialises the n
    access.require_office(principal, "由事故发现的隐患")
    position = len(revealed_hazards(session, incident.id)) + 1
    return ledger.create_hazard(
        session,
        principal,
        category=category,
        subcategory=subcategory,
        description=description,
        severity=severity,
        cell_id=cell_id or incident.cell_id,
        location=location,
        campus_tz=campus_tz,
        source=domain.SOURCE,
        source_ref=domain.revealed_ref(incident.id, position),
    )


def revealed_hazards(session: Session, incident_id: str) -> list[Hazard]:
    """The hazards the incident revealed, in the order they were opened."""
    hazards = session.scalars(
        select(Hazard).where(
            Hazard.source == domain.SOURCE, Hazard.source_ref.like(f"{incident_id}:%")
        )
    ).all()
    return sorted(hazards, key=lambda h: int(h.source_ref.rsplit(":", 1)[1]))


def find_responsibility(
    session: Session,
    principal: Principal,
    incident_id: str,
    *,
    campus_tz: str,
    unit_code: str,
    text: str,
    found_on: date,
    if_match: int | None = None,
    now: datetime | None = None,
) -> Incident:
    """责任认定, once: the unit found responsible and why. Announced for reporting, which
    raises the accountability flag (naming the person who held the place that day)."""
    now = now or utcnow()
    incident = get_incident(session, principal, incident_id, lock=True)
    access.require_office(principal, "责任认定")
    check_version(incident, if_match, "事故")
    domain.check_open(incident.found_on)
    domain.check_finding(found_on, incident.occurred_on, campus_today(campus_tz, now))
    if session.get(GridUnit, unit_code) is None:
        raise invalid("unit_code", "不是网格中的单位")
    incident.responsible_unit = unit_code
    incident.responsibility = text
    incident.found_on = found_on
    incident.found_by = principal.sub
    incident.version += 1
    session.flush()
    record_event(
        session,
        event_type="incident.responsibility_found",
        source=EVENT_SOURCE,
        subject=incident.id,
        sequence=incident.version,
        actor=principal.sub,
        occurred_at=now,
        data={
            "incident_id": incident.id,
            "unit_code": unit_code,
            "cell_id": domain.finding_cell(incident.unit_code, incident.cell_id, unit_code),
            "occurred_on": incident.occurred_on,
            "kind": incident.kind,
            "severity": incident.severity,
        },
    )
    return incident


def _announce_recorded(
    session: Session, incident: Incident, principal: Principal, now: datetime
) -> None:
    """The incident as reporting counts it (no text, no names): after each change."""
    record_event(
        session,
        event_type="incident.recorded",
        source=EVENT_SOURCE,
        subject=incident.id,
        sequence=incident.version,
        actor=principal.sub,
        occurred_at=now,
        data={
            "incident_id": incident.id,
            "unit_code": incident.unit_code,
            "kind": incident.kind,
            "severity": incident.severity,
            "near_miss": incident.near_miss,
            "major": domain.is_major(incident.severity, incident.near_miss),
            "occurred_on": incident.occurred_on,
            "deaths": incident.deaths,
            "injuries": incident.injuries,
        },
    )


def incidents_query(principal: Principal, filters: Mapping[str, Any]) -> Select:
    """The list in the caller's scope, newest first, with the list's filters."""
    stmt = access.visible(select(Incident), principal, Incident.unit_code)
    for key in ("unit_code", "cell_id", "kind", "severity"):
        if filters.get(key):
            stmt = stmt.where(getattr(Incident, key) == filters[key])
    if filters.get("near_miss") is not None:
        stmt = stmt.where(Incident.near_miss == filters["near_miss"])
    if filters.get("occurred_from"):
        stmt = stmt.where(Incident.occurred_on >= filters["occurred_from"])
    if filters.get("occurred_to"):
        stmt = stmt.where(Incident.occurred_on <= filters["occurred_to"])
    if filters.get("found") is not None:
        found = Incident.found_on.is_not(None)
        stmt = stmt.where(found if filters["found"] else ~found)
    return stmt.order_by(Incident.occurred_at.desc(), Incident.id)


def hazard_counts(session: Session, incident_ids: list[str]) -> dict[str, int]:
    """How many hazards each incident revealed (the list's column)."""
    if not incident_ids:
        return {}
    prefix = func.substr(Hazard.source_ref, 1, 36)
    rows = session.execute(
        select(prefix, func.count())
        .where(Hazard.source == domain.SOURCE, prefix.in_(incident_ids))
        .group_by(prefix)
    )
    return {incident_id: count for incident_id, count in rows}
