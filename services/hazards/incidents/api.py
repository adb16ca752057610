"""/incidents: the incidents ledger (安全事故/事件): record, list, read, correct, the report
chain, the investigation, the hazards it revealed and the finding of responsibility."""

from __future__ import annotations

from typing import Any

from services.hazards.incidents import access, commands, domain
from services.hazards.incidents.models import Incident
from services.hazards.incidents.schemas import (
    IncidentCreateSchema,
    IncidentFindingCreateSchema,
    IncidentQuerySchema,
    IncidentReportCreateSchema,
    IncidentReportSchema,
    IncidentSchema,
    IncidentUpdateSchema,
    InvestigationSchema,
    RevealedHazardCreateSchema,
    RevealedHazardSchema,
)
from services.hazards.registers.rows import columns
from shared.api import Blueprint, page_of, read_session, state, transaction, with_etag
from shared.api import if_match_version as if_match
from shared.auth import current_principal

blp = Blueprint(
    "incidents", __name__, url_prefix="/incidents", description="安全事故/事件 incidents"
)


def tz() -> str:
    return state().settings.campus_timezone


def view(session, incident: Incident, full: bool = True) -> dict[str, Any]:
    """The record with what is computed beside it; one incident also carries its report
    chain, its hazards and the caller's next steps."""
    data = {
        **columns(incident),
        "major": domain.is_major(incident.severity, incident.near_miss),
    }
    if full:
        hazards = commands.revealed_hazards(session, incident.id)
        data.update(
            reports=incident.reports,
            hazards=hazards,
            hazard_count=len(hazards),
            my_actions=access.actions_for(
                current_principal(), incident.unit_code, incident.found_on is not None
            ),
        )
    return data


@blp.route("", methods=["POST"])
@blp.arguments(IncidentCreateSchema)
@blp.response(201, IncidentSchema)
def record_incident(payload):
    """登记 an incident or near miss at a place (the office; a unit manager at his unit's)."""
    with transaction() as session:
        incident = commands.record_incident(session, current_principal(), campus_tz=tz(), **payload)
        return with_etag(incident, view(session, incident), 201)


@blp.route("", methods=["GET"])
@blp.arguments(IncidentQuerySchema, location="query")
@blp.response(200, IncidentSchema(many=True))
@blp.paginate()
def list_incidents(query, pagination_parameters):
    """The ledger in the caller's scope, newest first (filters: unit, place, kind, severity,
    near miss, found or not, the campus days it happened)."""
    session = read_session()
    rows = page_of(commands.incidents_query(current_principal(), query), pagination_parameters)
    counts = commands.hazard_counts(session, [i.id for i in rows])
    return [{**view(session, i, full=False), "hazard_count": counts.get(i.id, 0)} for i in rows]


@blp.route("/<incident_id>", methods=["GET"])
@blp.response(200, IncidentSchema)
def get_incident(incident_id: str):
    session = read_session()
    incident = commands.get_incident(session, current_principal(), incident_id)
    return with_etag(incident, view(session, incident))


@blp.route("/<incident_id>", methods=["PATCH"])
@blp.arguments(IncidentUpdateSchema)
@blp.response(200, IncidentSchema)
@blp.alt_response(412, description="If-Match does not match the incident's version")
def update_incident(payload, incident_id: str):
    """Correct the record (until responsibility is found: 409 after)."""
    with transaction() as session:
        incident = commands.update_incident(
            session, current_principal(), incident_id, payload, campus_tz=tz(), if_match=if_match()
        )
        return with_etag(incident, view(session, incident))


@blp.route("/<incident_id>/reports", methods=["POST"])
@blp.arguments(IncidentReportCreateSchema)
@blp.response(201, IncidentReportSchema)
def add_report(payload, incident_id: str):
    """A link of the report chain: who was told, when, by whom, how."""
    with transaction() as session:
        return commands.add_report(session, current_principal(), incident_id, **payload)


@blp.route("/<incident_id>/investigation", methods=["PUT"])
@blp.arguments(InvestigationSchema)
@blp.response(200, IncidentSchema)
def investigate(payload, incident_id: str):
    """事故调查: the causes found (the security office)."""
    with transaction() as session:
        incident = commands.investigate(
            session, current_principal(), incident_id, payload["causes"], if_match=if_match()
        )
        return with_etag(incident, view(session, incident))


@blp.route("/<incident_id>/hazards", methods=["POST"])
@blp.arguments(RevealedHazardCreateSchema)
@blp.response(201, RevealedHazardSchema)
def open_hazard(payload, incident_id: str):
    """A hazard the incident revealed, opened in the hazard ledger (source "incident")."""
    with transaction() as session:
        return commands.open_hazard(
            session, current_principal(), incident_id, campus_tz=tz(), **payload
        )


@blp.route("/<incident_id>/finding", methods=["POST"])
@blp.arguments(IncidentFindingCreateSchema)
@blp.response(200, IncidentSchema)
def find_responsibility(payload, incident_id: str):
    """责任认定 (the security office, once): reporting raises the accountability flag."""
    with transaction() as session:
        incident = commands.find_responsibility(
            session,
            current_principal(),
            incident_id,
            campus_tz=tz(),
            if_match=if_match(),
            **payload,
        )
        return with_etag(incident, view(session, incident))
