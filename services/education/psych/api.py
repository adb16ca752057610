"""/psych: the psychological follow-up ledger (动态教育防范台账).

Every /psych/records endpoint is for the psych centre only (403 for everyone else);
/psych/summary gives everyone counts per unit; /psych/access-log is the audit trail.
"""

from __future__ import annotations

from services.education.psych import commands as psych
from services.education.psych.schemas import (
    AccessLogQuerySchema,
    AccessLogSchema,
    InterventionCreateSchema,
    PsychCountsSchema,
    PsychQuerySchema,
    PsychRecordCreateSchema,
    PsychRecordSchema,
    PsychRecordUpdateSchema,
)
from shared.api import Blueprint, read_session, transaction
from shared.auth import current_principal

blp = Blueprint(
    "psych", __name__, url_prefix="/psych", description="动态教育防范台账 (心理健康中心专用)"
)


@blp.route("/records", methods=["POST"])
@blp.arguments(PsychRecordCreateSchema)
@blp.response(201, PsychRecordSchema)
def create_record(payload):
    """Open a follow-up record for a student flagged by screening (psych centre only)."""
    with transaction() as session:
        return psych.create_record(session, current_principal(), **payload)


@blp.route("/records", methods=["GET"])
@blp.arguments(PsychQuerySchema, location="query")
@blp.response(200, PsychRecordSchema(many=True))
def list_records(query):
    """The centre's working list, next follow-up first (psych centre only; logged)."""
    with transaction() as session:
        return psych.list_records(
            session,
            current_principal(),
            unit_code=query.get("unit_code"),
            status=query.get("status"),
        )


@blp.route("/records/<record_id>", methods=["GET"])
@blp.response(200, PsychRecordSchema)
def get_record(record_id: str):
    """One record with its interventions (psych centre only; the read is logged)."""
    with transaction() as session:
        return psych.read_record(session, current_principal(), record_id)


@blp.route("/records/<record_id>", methods=["PATCH"])
@blp.arguments(PsychRecordUpdateSchema)
@blp.response(200, PsychRecordSchema)
def update_record(payload, record_id: str):
    """Change the risk level, status or next follow-up date (psych centre only)."""
    with transaction() as session:
        return psych.update_record(session, current_principal(), record_id, payload)


@blp.route("/records/<record_id>/interventions", methods=["POST"])
@blp.arguments(InterventionCreateSchema)
@blp.response(201, PsychRecordSchema)
def add_intervention(payload, record_id: str):
    """Record an intervention or follow-up (干预/回访) and the next date (psych centre only)."""
    with transaction() as session:
        return psych.add_intervention(session, current_principal(), record_id, **payload)


@blp.route("/summary", methods=["GET"])
@blp.response(200, PsychCountsSchema(many=True))
def summary():
    """Counts per unit by risk level and status, never a record (everyone, in scope)."""
    return psych.summary(read_session(), current_principal())


@blp.route("/access-log", methods=["GET"])
@blp.arguments(AccessLogQuerySchema, location="query")
@blp.response(200, AccessLogSchema(many=True))
def access_log(query):
    """Who accessed which record when (psych centre and security office; newest first)."""
    return psych.access_log(read_session(), current_principal(), query.get("record_id"))
