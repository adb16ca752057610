"""/buildings: buildings on file (建筑建档), their evacuation drawing and construction sites."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.hazards.registers.buildings import commands, domain, export
from services.hazards.registers.buildings.models import Building
from services.hazards.registers.buildings.schemas import (
    BuildingCreateSchema,
    BuildingQuerySchema,
    BuildingSchema,
    BuildingUpdateSchema,
    RelatedSchema,
    SiteCreateSchema,
    SiteSchema,
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
blp = Blueprint("buildings", __name__, url_prefix="/buildings", description="建筑建档 buildings")


def today() -> date:
    return campus_today(state().settings.campus_timezone)


def site_view(site: Any, day: date) -> dict[str, Any]:
    return {**columns(site), "active": domain.site_active(site.starts_on, site.ends_on, day)}


def view(building: Building, day: date, sites: list | None = None) -> dict[str, Any]:
    """The record with its appraisal state (危房 / 已过期 / 即将到期) as of the campus day."""
    state_ = domain.appraisal_state(building.appraisal_grade, building.appraisal_due, day)
    return {
        **columns(building),
        "appraisal_state": state_.value,
        "sites": [site_view(s, day) for s in sites or []],
    }


def full_view(building: Building, day: date) -> dict[str, Any]:
    sites = commands.sites_of(read_session(), [building.id])[building.id]
    return view(building, day, sites)


@blp.route("", methods=["POST"])
@blp.arguments(BuildingCreateSchema)
@blp.response(201, BuildingSchema)
def register_building(payload):
    """Put a building (a grid place) on file; one record per place."""
    day = today()
    with transaction() as session:
        building = commands.register_building(session, current_principal(), day, **payload)
        return with_etag(building, view(building, day), 201)


@blp.route("", methods=["GET"])
@blp.arguments(BuildingQuerySchema, location="query")
@blp.response(200, BuildingSchema(many=True))
@blp.paginate()
def list_buildings(query, pagination_parameters):
    """The register in the caller's scope; due=lapsed|due_soon|unsafe is the due list."""
    day = today()
    stmt = commands.building_query(current_principal(), query, day)
    rows = list(page_of(stmt, pagination_parameters))
    sites = commands.sites_of(read_session(), [b.id for b in rows])
    return [view(b, day, sites[b.id]) for b in rows]


@blp.route("/export.xlsx", methods=["GET"])
@blp.arguments(BuildingQuerySchema, location="query")
@blp.response(200, content_type=XLSX)
def export_buildings(query):
    """The register (as filtered) as an .xlsx with Chinese headers."""
    day = today()
    stmt = commands.building_query(current_principal(), query, day)
    rows = read_session().scalars(stmt.limit(5000)).all()
    return file_response(export.register_xlsx(rows, day), XLSX, f"buildings-{day}.xlsx")


@blp.route("/<building_id>", methods=["GET"])
@blp.response(200, BuildingSchema)
def get_building(building_id: str):
    building = commands.get_building(read_session(), current_principal(), building_id)
    return with_etag(building, full_view(building, today()))


@blp.route("/<building_id>", methods=["PATCH"])
@blp.arguments(BuildingUpdateSchema)
@blp.response(200, BuildingSchema)
@blp.alt_response(412, description="If-Match does not match the record's version")
def update_building(payload, building_id: str):
    day = today()
    with transaction() as session:
        building = commands.update_building(
            session, current_principal(), building_id, payload, day, if_match()
        )
        sites = commands.sites_of(session, [building.id])[building.id]
        return with_etag(building, view(building, day, sites))


@blp.route("/<building_id>/drawing", methods=["POST"])
@blp.arguments(files.UploadSchema, location="files")
@blp.response(200, BuildingSchema)
def upload_drawing(form, building_id: str):
    """The evacuation drawing (疏散图): an image or a PDF; 413 over the limit, 415 otherwise."""
    upload = files.Upload.received(form["file"], state().settings)
    day = today()
    with transaction() as session:
        building = commands.attach_drawing(session, current_principal(), building_id, upload)
        return with_etag(building, view(building, day))


def _drawing_types(view_):
    for media_type in files.ALLOWED:
        view_ = blp.alt_response(200, content_type=media_type, success=True)(view_)
    return view_


@blp.route("/<building_id>/drawing", methods=["GET"])
@_drawing_types
def download_drawing(building_id: str):
    found = commands.drawing_of(read_session(), current_principal(), building_id)
    return files.download(state().settings.files_dir, *found)


@blp.route("/<building_id>/sites", methods=["POST"])
@blp.arguments(SiteCreateSchema)
@blp.response(201, SiteSchema)
def add_site(payload, building_id: str):
    """A construction site (在建项目) at the building: isolation (施工隔离) and end date."""
    day = today()
    with transaction() as session:
        site = commands.add_site(session, current_principal(), building_id, **payload)
        return site_view(site, day)


@blp.route("/<building_id>/related", methods=["GET"])
@blp.response(200, RelatedSchema)
def related(building_id: str):
    """The building page's lists: the risk points, hazards, special equipment and chemicals
    stores of its place and of every place below it (floors, rooms)."""
    return commands.related(read_session(), current_principal(), building_id)
