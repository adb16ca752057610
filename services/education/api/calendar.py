"""/calendar (JSON and a per-unit iCalendar feed), /themed-dates with suggestions for a
year, /coverage (units with no activity of a kind), /attendance (rates per unit)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app, g, request
from sqlalchemy import func, select

from services.education import access, domain
from services.education.api.views import campus_tz, public_base_url, today
from services.education.commands import coverage as coverage_commands
from services.education.commands import themed_dates
from services.education.domain import KIND_LABELS, Kind, Status
from services.education.exports import calendar_ics
from services.education.models import Activity, ActivityTarget, Enrolment, ThemedDate
from services.education.schemas import (
    UNIT_CODE_PATTERN,
    AttendanceQuerySchema,
    AttendanceSummarySchema,
    CalendarQuerySchema,
    CalendarSchema,
    CoverageQuerySchema,
    CoverageSchema,
    FeedQuerySchema,
    SubscriptionSchema,
    SuggestionSchema,
    ThemedDateCreateSchema,
    ThemedDateSchema,
    YearQuerySchema,
)
from shared.api import Blueprint, file_response, read_session, transaction
from shared.auth import bearer_principal, current_principal, public
from shared.errors import Forbidden, NotFound, Unauthorized
from shared.grid_projection import GridUnit
from shared.timeutil import utcnow

blp = Blueprint(
    "education_calendar", __name__, description="日历、主题日与覆盖 calendar and coverage"
)

# Calendar apps on phones subscribe to a URL and cannot send an Authorization header, so
# the feed is authenticated by its own key (an HMAC of the unit, from the subscription
# endpoint) or, for API clients, by the usual bearer token checked in the view.


def feed_key(unit_code: str) -> str:
    secret = current_app.config["JWT_SECRET"].encode()
    return hmac.new(secret, f"ics-feed:{unit_code}".encode(), hashlib.sha256).hexdigest()[:32]


def _window(query: dict) -> tuple:
    first = query.get("from_") or today() - timedelta(days=30)
    last = query.get("to") or first + timedelta(days=180)
    return first, last


def _unit_activities(session, unit_code: str | None, principal, starts, ends, cancelled: bool):
    stmt = select(Activity).where(Activity.starts_at < ends, Activity.ends_at > starts)
    if unit_code:
        aimed = select(ActivityTarget.activity_id).where(ActivityTarget.unit_code == unit_code)
        stmt = stmt.where((Activity.organiser_unit == unit_code) | Activity.id.in_(aimed))
    if principal is not None:
        visible = access.visible_condition(principal)
        if visible is not None:
            stmt = stmt.where(visible)
    if not cancelled:
        stmt = stmt.where(Activity.status != Status.CANCELLED)
    return session.scalars(stmt.order_by(Activity.starts_at, Activity.id)).all()


def _themed_between(session, first, last) -> list[domain.Suggestion]:
    out = []
    for year in range(first.year, last.year + 1):
        out += themed_dates.suggestions(session, year)
    unique = {(s.key, s.starts_on): s for s in out if s.starts_on <= last and s.ends_on >= first}
    return sorted(unique.values(), key=lambda s: (s.starts_on, s.key))


@blp.route("/calendar", methods=["GET"])
@blp.arguments(CalendarQuerySchema, location="query")
@blp.response(200, CalendarSchema)
def calendar_json(query):
    """Activities (of a unit, or all in the caller's scope) and themed dates in a window of
    campus dates (default: 30 days back to 180 days ahead)."""
    principal = current_principal()
    if query.get("unit_code"):
        principal.require_unit(query["unit_code"])
    first, last = _window(query)
    starts, ends = domain.campus_day_bounds(first, last, campus_tz())
    session = read_session()
    return {
        "unit_code": query.get("unit_code"),
        "from_": first,
        "to": last,
        "timezone": campus_tz(),
        "activities": _unit_activities(
            session, query.get("unit_code"), principal, starts, ends, query["include_cancelled"]
        ),
        "themed_dates": _themed_between(session, first, last),
    }


@blp.route("/calendar/<unit_code>/subscription", methods=["GET"])
@blp.response(200, SubscriptionSchema)
def subscription(unit_code: str):
    """The unit's .ics feed URL with its key, to subscribe from a phone (订阅日历)."""
    current_principal().require_unit(unit_code)
    url = f"{public_base_url()}/calendar/{unit_code}.ics?key={feed_key(unit_code)}"
    return {
        "unit_code": unit_code,
        "url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1],
    }


@blp.route("/calendar/<unit_code>.ics", methods=["GET"], endpoint="unit_feed")
@blp.arguments(FeedQuerySchema, location="query")
@blp.response(200, content_type="text/calendar")
@blp.doc(security=[{"bearerAuth": []}, {}])
@public
def unit_feed(query, unit_code: str):
    """The unit's activities as an iCalendar feed in campus time (Asia/Shanghai), cancelled
    ones marked CANCELLED, with the themed dates; from a year back on. Authenticated by
    the subscription key (?key=…) or a bearer token."""
    if UNIT_CODE_PATTERN.fullmatch(unit_code) is None:
        raise NotFound(f"没有单位 {unit_code[:40]}：单位编码只能由字母、数字、_ 和 - 组成")
    key = query.get("key")
    if key:
        # bytes: compare_digest refuses non-ASCII str, and a key is whatever the URL held
        if not hmac.compare_digest(key.encode(), feed_key(unit_code).encode()):
            raise Forbidden("订阅密钥不属于该单位")
    else:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("须带订阅密钥（?key=…）或 Bearer 令牌")
        g.principal = bearer_principal(token.strip())
        g.principal.require_unit(unit_code)
    session = read_session()
    tz = campus_tz()
    first = today() - timedelta(days=365)
    last = today() + timedelta(days=365)
    starts, ends = domain.campus_day_bounds(first, last, tz)
    unit = session.get(GridUnit, unit_code)
    body = calendar_ics(
        name=f"{unit.name if unit else unit_code}安全教育日历",
        timezone=tz,
        activities=_unit_activities(session, unit_code, None, starts, ends, cancelled=True),
        themed=_themed_between(session, today() - timedelta(days=30), last),
        generated_at=utcnow(),
    )
    response = file_response(body, "text/calendar", f"{unit_code}.ics", inline=True)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    return response


# -- themed dates ---------------------------------------------------------------------------
@blp.route("/themed-dates", methods=["GET"])
@blp.response(200, ThemedDateSchema(many=True))
def list_themed_dates():
    """The campaign's own dates (data: entered by the security office)."""
    return read_session().scalars(select(ThemedDate).order_by(ThemedDate.starts_on)).all()


@blp.route("/themed-dates", methods=["POST"])
@blp.arguments(ThemedDateCreateSchema)
@blp.response(201, ThemedDateSchema)
def create_themed_date(payload):
    """Add a campaign date or period to plan education around (security office)."""
    with transaction() as session:
        return themed_dates.create_themed_date(session, current_principal(), **payload)


@blp.route("/themed-dates/suggestions", methods=["GET"])
@blp.arguments(YearQuerySchema, location="query")
@blp.response(200, SuggestionSchema(many=True))
def suggestions(query):
    """Dates to plan around in a year: 安全生产月 (June), 全国消防日 (11-09), 全国交通安全日
    (12-02), and the campaign's own dates, with the kinds of activity that fit them."""
    return themed_dates.suggestions(read_session(), query["year"])


# -- coverage and attendance ------------------------------------------------------------------
@blp.route("/coverage", methods=["GET"])
@blp.arguments(CoverageQuerySchema, location="query")
@blp.response(200, CoverageSchema)
def coverage(query):
    """Which units of the grid had no activity of a kind (e.g. no drill) in a period of
    campus dates; held activities count, planned ones too with include_planned."""
    first, last = query["from_"], query["to"]
    starts, ends = domain.campus_day_bounds(first, last, campus_tz())
    units = coverage_commands.coverage(
        read_session(),
        current_principal(),
        kind=query["kind"],
        starts=starts,
        ends=ends,
        include_planned=query["include_planned"],
    )
    return {
        "kind": query["kind"],
        "kind_label": KIND_LABELS[Kind(query["kind"])],
        "from_": first,
        "to": last,
        "units": units,
        "uncovered": [u["unit_code"] for u in units if not u["covered"]],
    }


@blp.route("/attendance", methods=["GET"])
@blp.arguments(AttendanceQuerySchema, location="query")
@blp.response(200, AttendanceSummarySchema)
def attendance_summary(query):
    """Attendance rate per unit over the activities starting in a period (not cancelled)."""
    principal = current_principal()
    unit_code = query.get("unit_code")
    if unit_code:
        principal.require_unit(unit_code)
    elif not principal.is_global:
        unit_code = principal.unit
    starts, ends = domain.campus_day_bounds(query["from_"], query["to"], campus_tz())
    stmt = (
        select(Enrolment.unit_code, func.count(), func.count(Enrolment.checked_in_at))
        .join(Activity, Activity.id == Enrolment.activity_id)
        .where(
            Activity.starts_at >= starts,
            Activity.starts_at < ends,
            Activity.status != Status.CANCELLED,
        )
        .group_by(Enrolment.unit_code)
        .order_by(Enrolment.unit_code)
    )
    if query.get("kind"):
        stmt = stmt.where(Activity.kind == query["kind"])
    if unit_code:
        stmt = stmt.where(Enrolment.unit_code == unit_code)
    elif not principal.is_global:
        raise Forbidden("跨单位的签到情况只有安全保卫处和领导小组可以查看")
    rows = read_session().execute(stmt).all()
    return {
        "from_": query["from_"],
        "to": query["to"],
        "kind": query.get("kind"),
        "units": [
            {"unit_code": u, "enrolled": e, "checked_in": c, "rate": domain.rate(c, e)}
            for u, e, c in rows
        ],
    }
