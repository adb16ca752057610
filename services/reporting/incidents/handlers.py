"""Reporting's handlers of the incidents ledger's events (registered in
services.reporting.handlers). Both are idempotent: the projection keeps the newest
sequence; the flag exists once per incident (its cause key), however often the finding
is delivered."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from services.reporting import commands, flags
from services.reporting.domain import Rule, cause_key
from services.reporting.incidents.models import IncidentProjection
from shared.events import Envelope
from shared.projections import upsert_newer


def apply_incident(session: Session, event: Envelope) -> None:
    """``incident.recorded``: the incident's counted state, newest sequence wins."""
    values = {**event.data, "occurred_on": date.fromisoformat(event.data["occurred_on"])}
    upsert_newer(session, IncidentProjection, "incident_id", values, event.sequence)


def raise_responsibility_flag(session: Session, event: Envelope) -> None:
    """``incident.responsibility_found``: one flag on the unit found responsible, naming
    the person who held the incident's place on its day (else the unit's head that day:
    ``flags.name_person``), dated when the finding was made."""
    data = event.data
    day = date.fromisoformat(data["occurred_on"])
    flags.raise_flag(
        session,
        Rule.INCIDENT_RESPONSIBILITY,
        data["unit_code"],
        cause_key(Rule.INCIDENT_RESPONSIBILITY, data["incident_id"]),
        campaign_id=commands.campaign_of(session, day),
        cell_id=data["cell_id"],
        day=day,
        at=event.occurred_at,
        evidence={
            "incident_id": data["incident_id"],
            "occurred_on": data["occurred_on"],
            "kind": data["kind"],
            "severity": data["severity"],
            "event_id": event.id,
        },
    )


HANDLERS = {
    "incident.recorded": apply_incident,
    "incident.responsibility_found": raise_responsibility_flag,
}
