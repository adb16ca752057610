"""/patrol-routes and /patrols: gate and patrol logs (门卫值守、内部巡查)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exc as sa_exc

from services.hazards.commands import policy_of
from services.hazards.office.patrols import commands
from services.hazards.office.patrols.schemas import (
    CheckInSchema,
    FinishSchema,
    PatrolCreateSchema,
    PatrolQuerySchema,
    PatrolSchema,
    PatrolSummarySchema,
    RouteCreateSchema,
    RouteQuerySchema,
    RouteSchema,
    RouteUpdateSchema,
)
from services.hazards.office.schemas import FindingCreateSchema, FindingSchema
from shared.api import Blueprint, page_of, read_session, state, transaction, with_etag
from shared.api import if_match_version as if_match
from shared.auth import current_principal
from shared.errors import BadRequest
from shared.timeutil import campus_today, utcnow

routes_blp = Blueprint(
    "patrol_routes", __name__, url_prefix="/patrol-routes", description="巡查路线 patrol routes"
)
blp = Blueprint("patrols", __name__, url_prefix="/patrols", description="巡查记录 patrols")


def now() -> datetime:
    """The clock of these endpoints (a seam for tests)."""
    return utcnow()


def today() -> date:
    return campus_today(state().settings.campus_timezone, now())


# -- routes -------------------------------------------------------------------------------
@routes_blp.route("", methods=["POST"])
@routes_blp.arguments(RouteCreateSchema)
@routes_blp.response(201, RouteSchema)
def create_route(payload):
    """A route of a unit's places (its manager, or the security office), or without a unit
    the security office's (门卫值守, campus rounds: any places)."""
    with transaction() as session:
        route = commands.create_route(session, current_principal(), **payload)
        return with_etag(route, commands.route_detail(session, route), status=201)


@routes_blp.route("", methods=["GET"])
@routes_blp.arguments(RouteQuerySchema, location="query")
@routes_blp.response(200, RouteSchema(many=True))
def list_routes(query):
    """The routes the caller sees: its unit's (everything for campus-wide readers)."""
    session = read_session()
    routes = session.scalars(commands.route_query(current_principal(), query)).all()
    return [commands.route_detail(session, r) for r in routes]


@routes_blp.route("/<route_id>", methods=["GET"])
@routes_blp.response(200, RouteSchema)
def get_route(route_id: str):
    session = read_session()
    route = commands.get_route(session, current_principal(), route_id)
    return with_etag(route, commands.route_detail(session, route))


@routes_blp.route("/<route_id>", methods=["PATCH"])
@routes_blp.arguments(RouteUpdateSchema)
@routes_blp.response(200, RouteSchema)
@routes_blp.alt_response(412, description="If-Match does not match the route's version")
def update_route(payload, route_id: str):
    """Rename, re-order or retire (active false); patrols walked keep their places."""
    with transaction() as session:
        route = commands.update_route(session, current_principal(), route_id, payload, if_match())
        return with_etag(route, commands.route_detail(session, route))


# -- patrols ------------------------------------------------------------------------------
@blp.route("", methods=["POST"])
@blp.arguments(PatrolCreateSchema)
@blp.response(201, PatrolSchema)
def start_patrol(payload):
    """Start walking a route (the caller is the runner): the unit's manager or grid staff,
    or the security office."""
    with transaction() as session:
        patrol = commands.start(session, current_principal(), today=today(), now=now(), **payload)
        return commands.detail(session, patrol), 201


@blp.route("", methods=["GET"])
@blp.arguments(PatrolQuerySchema, location="query")
@blp.response(200, PatrolSummarySchema(many=True))
@blp.paginate()
def list_patrols(query, pagination_parameters):
    """Patrols in the caller's scope (its unit's, its own), newest first."""
    return page_of(commands.patrol_query(current_principal(), query), pagination_parameters)


@blp.route("/<patrol_id>", methods=["GET"])
@blp.response(200, PatrolSchema)
def get_patrol(patrol_id: str):
    session = read_session()
    return commands.detail(session, commands.get_patrol(session, current_principal(), patrol_id))


@blp.route("/<patrol_id>/check-ins", methods=["POST"])
@blp.arguments(CheckInSchema)
@blp.response(201, PatrolSchema)
def check_in(payload, patrol_id: str):
    """签到 at a place of the route: ``scan`` is what its QR code says (the roster poster's
    URL), or its id or code; or ``cell_id``. The same place again answers 200."""
    for _ in range(2):  # a double tap: the twin's insert fails on the unique place, then reads
        try:
            with transaction() as session:
                patrol, created = commands.check_in(
                    session, current_principal(), patrol_id, now=now(), **payload
                )
                return commands.detail(session, patrol), 201 if created else 200
        except sa_exc.IntegrityError:
            continue
    raise BadRequest("同一地点的签到正在同时处理，请重试")


@blp.route("/<patrol_id>/finish", methods=["POST"])
@blp.arguments(FinishSchema)
@blp.response(200, PatrolSchema)
def finish_patrol(payload, patrol_id: str):
    """结束巡查: the places not checked in are listed as missed."""
    with transaction() as session:
        patrol = commands.finish(session, current_principal(), patrol_id, now=now(), **payload)
        return commands.detail(session, patrol)


@blp.route("/<patrol_id>/findings", methods=["POST"])
@blp.arguments(FindingCreateSchema)
@blp.response(201, FindingSchema)
def add_finding(payload, patrol_id: str):
    """Something found at a place of the route opens one hazard (source patrol) reported by
    the runner under the ledger's rules; the same finding posted again answers 200."""
    principal = current_principal()
    settings = state().settings
    for _ in range(2):
        try:
            with transaction() as session:
                finding, created = commands.add_finding(
                    session,
                    principal,
                    patrol_id,
                    campus_tz=settings.campus_timezone,
                    now=now(),
                    policy=policy_of(settings),
                    **payload,
                )
                return finding, 201 if created else 200
        except sa_exc.IntegrityError:
            continue
    raise BadRequest("同一发现问题的请求正在同时处理，请重试")
