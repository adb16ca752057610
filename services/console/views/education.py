"""安全教育: the calendar, an activity with its sign-in QR code for the projector, drill
results."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request
from markupsafe import Markup

from services.console import auth
from services.console.client import ServiceError
from services.console.format import campus_dt, campus_today
from services.console.views.common import api, flash_error, get_json

blp = Blueprint("education", __name__, url_prefix="/education")


@blp.route("")
def calendar():
    first = campus_today() - timedelta(days=30)
    calendar = get_json(
        "education",
        "/calendar",
        **{"from": request.args.get("from") or first.isoformat(), "to": request.args.get("to")},
    )
    by_month: dict[str, list[dict]] = {}
    for activity in calendar["activities"]:  # the campus month, not the UTC one
        by_month.setdefault(campus_dt(activity["starts_at"], "%Y-%m"), []).append(activity)
    return render_template("education/calendar.html", calendar=calendar, by_month=by_month)


def _sign_in(activity_id: str) -> dict | None:
    """The sign-in code and URL, when the person may show them (the organiser)."""
    try:
        return get_json("education", f"/activities/{activity_id}/sign-in")
    except ServiceError as exc:
        if exc.status in (403, 404):
            return None
        raise


@blp.route("/activities/<activity_id>")
def activity(activity_id: str):
    item = get_json("education", f"/activities/{activity_id}")
    drill = None
    if item["kind"] == "drill":
        drill = get_json("education", f"/activities/{activity_id}/drill-result")
    return render_template(
        "education/activity.html",
        activity=item,
        sign_in=_sign_in(activity_id),
        attendance=get_json("education", f"/activities/{activity_id}/attendance"),
        drill=drill,
    )


@blp.route("/activities/<activity_id>/sign-in")
def projector(activity_id: str):
    item = get_json("education", f"/activities/{activity_id}")
    sign_in = get_json("education", f"/activities/{activity_id}/sign-in")
    svg = api(
        "education",
        "GET",
        f"/activities/{activity_id}/sign-in/qr",
        params={"format": "svg"},
        headers={"Accept": "image/svg+xml"},
    ).body.decode()
    svg = svg[svg.find("<svg") :]  # drop any XML prolog: the SVG goes inline
    svg = svg.replace("<svg", '<svg role="img" aria-label="签到二维码" class="qr"', 1)
    return render_template(
        "education/projector.html", activity=item, sign_in=sign_in, qr=Markup(svg)
    )


@blp.route("/activities/<activity_id>/check-in", methods=["GET", "POST"])
def check_in(activity_id: str):
    """What the sign-in QR code opens on a phone: sign in to the console, then check in
    with the code from the room (already filled in from the QR code). One checks in only
    oneself: the education service takes the person from the token, so no 学号 is sent."""
    code = request.values.get("code", "").strip()
    done = None
    if request.method == "POST":
        try:
            done = api(
                "education",
                "POST",
                f"/activities/{activity_id}/check-in",
                json_body={"code": code},
            ).json()
        except ServiceError as exc:
            if exc.status >= 500:
                raise
            flash_error(exc)
    try:
        item = get_json("education", f"/activities/{activity_id}")
    except ServiceError as exc:
        if exc.status not in (403, 404):
            raise
        item = None  # a participant of another unit may check in without reading the record
    return render_template(
        "education/check_in.html",
        activity=item,
        code=code,
        person={"name": auth.user().name, "number": auth.user_number()},
        done=done,
    )


@blp.route("/drills")
def drills():
    reply = api("education", "GET", "/activities", params={"kind": "drill", "page_size": 50}).json()
    results = []
    for item in reply:
        result = get_json("education", f"/activities/{item['id']}/drill-result")
        results.append({"activity": item, "result": result})
    return render_template("education/drills.html", results=results)
