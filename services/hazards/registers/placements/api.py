"""/placements: practical training and internships (实训实习、校外社会实践), the hosts'
safety agreements, the start that checks agreement, insurance and briefing, the .xlsx."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from services.hazards.registers.placements import commands, domain, exports
from services.hazards.registers.placements.models import Placement
from services.hazards.registers.placements.schemas import (
    AgreementSchema,
    PlacementCreateSchema,
    PlacementQuerySchema,
    PlacementSchema,
    PlacementUpdateSchema,
    StepSchema,
)
from services.hazards.registers.rows import columns
from shared import files
from shared.api import (
    Blueprint,
    file_response,
    page_of,
    read_session,
    state,
    transaction,
    with_etag,
)
from shared.api import if_match_version as if_match
from shared.auth import current_principal
from shared.timeutil import campus_today

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 5000  # one sheet of a unit's (or the college's) placements

blp = Blueprint("placements", __name__, url_prefix="/placements", description="实训实习 placements")


def today() -> date:
    return campus_today(state().settings.campus_timezone)


def view(session: Session, placement: Placement, day: date) -> dict[str, Any]:
    """The entry with its agreements, what a start lacks and its due state."""
    missing = domain.missing_for_start(commands.readiness(session, placement))
    return {
        **columns(placement),
        "agreements": commands.agreements_of(session, placement.id),
        "missing": missing,
        "missing_labels": [domain.REQUIREMENT_LABELS[m] for m in missing],
        "due_state": domain.due_state(placement.status, placement.starts_on, missing, day).value,
    }


@blp.route("", methods=["POST"])
@blp.arguments(PlacementCreateSchema)
@blp.response(201, PlacementSchema)
def record_placement(payload):
    """Record a placement of the organising unit (its place in the grid names the unit)."""
    with transaction() as session:
        placement = commands.record_placement(session, current_principal(), **payload)
        return with_etag(placement, view(session, placement, today()), 201)


@blp.route("", methods=["GET"])
@blp.arguments(PlacementQuerySchema, location="query")
@blp.response(200, PlacementSchema(many=True))
@blp.paginate()
def list_placements(query, pagination_parameters):
    """The register in the caller's scope; due=blocked|due_soon is the due list."""
    day, session = today(), read_session()
    stmt = commands.placement_query(current_principal(), query, day)
    return [view(session, p, day) for p in page_of(stmt, pagination_parameters)]


@blp.route("/export.xlsx", methods=["GET"])
@blp.arguments(PlacementQuerySchema, location="query")
@blp.response(200, content_type=XLSX)
def export_placements(query):
    """The register (same filters as the list) as an .xlsx with Chinese headers."""
    day, session = today(), read_session()
    stmt = commands.placement_query(current_principal(), query, day).limit(EXPORT_LIMIT)
    views = [view(session, p, day) for p in session.scalars(stmt)]
    return file_response(exports.placements_xlsx(views, day), XLSX, f"实训实习台账-{day}.xlsx")


@blp.route("/<placement_id>", methods=["GET"])
@blp.response(200, PlacementSchema)
def get_placement(placement_id: str):
    session = read_session()
    placement = commands.get_placement(session, current_principal(), placement_id)
    return with_etag(placement, view(session, placement, today()))


@blp.route("/<placement_id>", methods=["PATCH"])
@blp.arguments(PlacementUpdateSchema)
@blp.response(200, PlacementSchema)
@blp.alt_response(412, description="If-Match does not match the placement's version")
def update_placement(payload, placement_id: str):
    """Edit the entry (insurance, briefing, students …) or cancel it before the start."""
    with transaction() as session:
        placement = commands.update_placement(
            session, current_principal(), placement_id, payload, if_match()
        )
        return with_etag(placement, view(session, placement, today()))


@blp.route("/<placement_id>/agreement", methods=["POST"])
@blp.arguments(files.UploadSchema, location="files")
@blp.response(201, AgreementSchema)
def upload_agreement(form, placement_id: str):
    """The host's safety agreement (安全协议): a scan or a PDF; 413 over the limit, 415 else."""
    upload = files.Upload.received(form["file"], state().settings)
    with transaction() as session:
        return commands.add_agreement(session, current_principal(), placement_id, upload)


def _agreement_types(view_fn):
    for media_type in files.ALLOWED:
        view_fn = blp.alt_response(200, content_type=media_type, success=True)(view_fn)
    return view_fn


@blp.route("/<placement_id>/agreement", methods=["GET"])
@_agreement_types
def download_agreement(placement_id: str):
    """The newest safety agreement on file."""
    session = read_session()
    agreement = commands.newest_agreement(session, current_principal(), placement_id)
    found = (agreement.sha256, agreement.media_type, agreement.filename)
    return files.download(state().settings.files_dir, *found)


@blp.route("/<placement_id>/start", methods=["POST"])
@blp.arguments(StepSchema)
@blp.response(200, PlacementSchema)
@blp.alt_response(409, description="agreement, insurance or briefing missing (named)")
def start_placement(payload, placement_id: str):
    """出发: refused while the agreement, a covering insurance or the briefing is missing."""
    with transaction() as session:
        placement = commands.start(
            session, current_principal(), placement_id, payload["on"] or today()
        )
        return with_etag(placement, view(session, placement, today()))


@blp.route("/<placement_id>/finish", methods=["POST"])
@blp.arguments(StepSchema)
@blp.response(200, PlacementSchema)
def finish_placement(payload, placement_id: str):
    """结束: the students are back."""
    with transaction() as session:
        placement = commands.finish(
            session, current_principal(), placement_id, payload["on"] or today()
        )
        return with_etag(placement, view(session, placement, today()))
