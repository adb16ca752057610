"""/clues: the clue ledger (线索摸排与移交), the security office's alone.

Every /clues record endpoint is for the security office only (403 for everyone else) and
logs the access; /clues/summary gives the office and the leadership counts only;
/clues/access-log is the audit trail.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.hazards.office.clues import commands
from services.hazards.office.clues.schemas import (
    AccessLogQuerySchema,
    AccessLogSchema,
    CloseSchema,
    ClueCountsSchema,
    ClueCreateSchema,
    ClueQuerySchema,
    ClueSchema,
    ClueSummarySchema,
    ClueUpdateSchema,
    FollowUpCreateSchema,
    HandlingSchema,
    ReceiptSchema,
    VerificationSchema,
)
from services.hazards.office.clues.todo import follow_up_days
from shared import files
from shared.api import Blueprint, read_session, state, transaction
from shared.api import if_match_version as if_match
from shared.auth import current_principal
from shared.timeutil import campus_today, utcnow

blp = Blueprint(
    "clues", __name__, url_prefix="/clues", description="线索摸排与移交 (安全保卫处专用)"
)


def now() -> datetime:
    """The clock of these endpoints (a seam for tests)."""
    return utcnow()


def today() -> date:
    return campus_today(state().settings.campus_timezone, now())


def _versioned(body: dict[str, Any], status: int = 200):
    return body, status, {"ETag": f'"{body["version"]}"'}


@blp.route("", methods=["POST"])
@blp.arguments(ClueCreateSchema)
@blp.response(201, ClueSchema)
def create_clue(payload):
    """Record a clue (security office only; logged)."""
    with transaction() as session:
        clue = commands.create_clue(session, current_principal(), today=today(), **payload)
        return _versioned(commands.detail(session, clue), 201)


@blp.route("", methods=["GET"])
@blp.arguments(ClueQuerySchema, location="query")
@blp.response(200, ClueSummarySchema(many=True))
def list_clues(query):
    """The office's working list, longest without a step first (each listed clue is logged).
    ``stale=true``: only the clues with no follow-up in the configured days."""
    days = follow_up_days(state().settings)
    with transaction() as session:
        return commands.list_clues(session, current_principal(), query, today(), days)


@blp.route("/summary", methods=["GET"])
@blp.response(200, ClueCountsSchema)
def summary():
    """Counts by kind and status, never a clue (security office and leadership)."""
    return commands.summary(read_session(), current_principal())


@blp.route("/access-log", methods=["GET"])
@blp.arguments(AccessLogQuerySchema, location="query")
@blp.response(200, AccessLogSchema(many=True))
def access_log(query):
    """Who accessed which clue when, newest first (security office)."""
    return commands.access_log(read_session(), current_principal(), query.get("clue_id"))


@blp.route("/<clue_id>", methods=["GET"])
@blp.response(200, ClueSchema)
def get_clue(clue_id: str):
    """One clue with its follow-ups and receipts (security office only; logged)."""
    with transaction() as session:
        return _versioned(commands.read_clue(session, current_principal(), clue_id))


@blp.route("/<clue_id>", methods=["PATCH"])
@blp.arguments(ClueUpdateSchema)
@blp.response(200, ClueSchema)
@blp.alt_response(412, description="If-Match does not match the clue's version")
def update_clue(payload, clue_id: str):
    """Correct the kind, unit, text, origin or date received (not once closed)."""
    with transaction() as session:
        body = commands.update_clue(
            session, current_principal(), clue_id, payload, if_match(), today()
        )
        return _versioned(body)


@blp.route("/<clue_id>/verification", methods=["POST"])
@blp.arguments(VerificationSchema)
@blp.response(200, ClueSchema)
def verify(payload, clue_id: str):
    """核实: the result (属实 / 部分属实 / 不属实) and the date."""
    with transaction() as session:
        body = commands.verify(session, current_principal(), clue_id, today=today(), **payload)
        return _versioned(body)


@blp.route("/<clue_id>/handling", methods=["POST"])
@blp.arguments(HandlingSchema)
@blp.response(200, ClueSchema)
def handle(payload, clue_id: str):
    """处置 in house, or 移交 to an outside agency (agency, date, receiving officer)."""
    with transaction() as session:
        body = commands.handle(session, current_principal(), clue_id, today=today(), **payload)
        return _versioned(body)


@blp.route("/<clue_id>/receipts", methods=["POST"])
@blp.arguments(files.UploadSchema, location="files")
@blp.response(201, ReceiptSchema)
def upload_receipt(form, clue_id: str):
    """The hand-over's receipt (回执): a photo or a PDF; 413 over the limit, 415 otherwise."""
    upload = files.Upload.received(form["file"], state().settings)
    with transaction() as session:
        return commands.add_receipt(session, current_principal(), clue_id, upload)


def _receipt_types(view):
    for media_type in files.ALLOWED:
        view = blp.alt_response(200, content_type=media_type, success=True)(view)
    return view


@blp.route("/<clue_id>/receipts/<receipt_id>", methods=["GET"])
@_receipt_types
def download_receipt(clue_id: str, receipt_id: str):
    """The receipt itself (security office only; the download is logged)."""
    with transaction() as session:
        receipt = commands.receipt_of(session, current_principal(), clue_id, receipt_id)
        found = (receipt.sha256, receipt.media_type, receipt.filename)
    return files.download(state().settings.files_dir, *found)


@blp.route("/<clue_id>/follow-ups", methods=["POST"])
@blp.arguments(FollowUpCreateSchema)
@blp.response(201, ClueSchema)
def add_follow_up(payload, clue_id: str):
    """跟进: what was learnt or done on a day; restarts the to-do's clock."""
    with transaction() as session:
        body = commands.add_follow_up(
            session, current_principal(), clue_id, today=today(), **payload
        )
        return _versioned(body, 201)


@blp.route("/<clue_id>/close", methods=["POST"])
@blp.arguments(CloseSchema)
@blp.response(200, ClueSchema)
def close(payload, clue_id: str):
    """办结: the outcome (after handling; an unfounded clue straight after verification)."""
    with transaction() as session:
        body = commands.close(session, current_principal(), clue_id, today=today(), **payload)
        return _versioned(body)
