"""/letters: responsibility letters (安全责任书, 一岗双责) per post and year.

GET /letters?year=&unit_code=&signed=false lists the posts held in the year in the
caller's scope with their letters (who has not signed); the holder, the unit's manager or
the security office records a signing (POST /letters) and attaches the signed scan
(POST /letters/{id}/scan: PDF, JPEG or PNG), which the post's unit reads back.
"""

from __future__ import annotations

from typing import Any

from services.grid import domain as grid_domain
from services.grid.api.views import today
from services.grid.letters import commands as letters
from services.grid.letters.schemas import (
    LetterCreateSchema,
    LetterQuerySchema,
    LetterSchema,
    PostLetterSchema,
)
from services.grid.models import ResponsibilityLetter
from shared import files
from shared.api import Blueprint, read_session, state, transaction
from shared.auth import current_principal
from shared.errors import NotFound
from shared.files import UploadSchema

blp = Blueprint(
    "letters", __name__, url_prefix="/letters", description="安全责任书 responsibility letters"
)


def letter_view(letter: ResponsibilityLetter | None) -> dict[str, Any] | None:
    if letter is None:
        return None
    return {
        "id": letter.id,
        "assignment_id": letter.assignment_id,
        "year": letter.year,
        "signed_on": letter.signed_on,
        "recorded_by": letter.recorded_by,
        "has_scan": letter.sha256 is not None,
        "filename": letter.filename,
        "size": letter.size,
        "content_type": letter.content_type,
        "uploaded_at": letter.uploaded_at,
    }


def post_view(row: dict[str, Any]) -> dict[str, Any]:
    a, cell, person = row["assignment"], row["cell"], row["person"]
    return {
        "assignment_id": a.id,
        "year": row["year"],
        "cell_id": cell.id,
        "cell_code": cell.code,
        "cell_name": cell.name,
        "unit_code": cell.unit_code,
        "person_id": person.id,
        "person_name": person.name,
        "role": a.role,
        "role_label": grid_domain.ROLE_LABELS.get(grid_domain.Role(a.role), a.role),
        "effective_from": a.effective_from,
        "effective_to": a.effective_to,
        "signed": row["letter"] is not None,
        "letter": letter_view(row["letter"]),
    }


@blp.route("", methods=["GET"])
@blp.arguments(LetterQuerySchema, location="query")
@blp.response(200, PostLetterSchema(many=True))
def list_posts(query):
    """The year's posts in the caller's scope with their letters (signed=false: unsigned)."""
    rows = letters.posts(read_session(), current_principal(), **query)
    return [post_view(row) for row in rows]


@blp.route("", methods=["POST"])
@blp.arguments(LetterCreateSchema)
@blp.response(201, LetterSchema)
def sign(payload):
    """Record a post's signed letter for a year (the holder, the unit's manager, the office)."""
    with transaction() as session:
        letter = letters.sign(session, current_principal(), **payload, today=today())
        return letter_view(letter)


@blp.route("/<letter_id>", methods=["GET"])
@blp.response(200, LetterSchema)
def get_letter(letter_id: str):
    """One letter (the post's unit, the office, the leadership)."""
    letter, _, _ = letters.get_letter(read_session(), current_principal(), letter_id)
    return letter_view(letter)


@blp.route("/<letter_id>/scan", methods=["POST"])
@blp.arguments(UploadSchema, location="files")
@blp.response(201, LetterSchema)
def attach_scan(form, letter_id: str):
    """The signed scan (PDF, JPEG or PNG; 415 otherwise); a new scan replaces the old."""
    upload = files.Upload.received(form["file"], state().settings)
    with transaction() as session:
        letter = letters.attach_scan(session, current_principal(), letter_id, upload)
        return letter_view(letter)


@blp.route("/<letter_id>/scan", methods=["GET"])
def download_scan(letter_id: str):
    """The signed scan, to whoever reads the letter."""
    letter, _, _ = letters.get_letter(read_session(), current_principal(), letter_id)
    if letter.sha256 is None:
        raise NotFound("该安全责任书还没有上传扫描件")
    return files.download(
        state().settings.files_dir, letter.sha256, letter.content_type, letter.filename
    )
