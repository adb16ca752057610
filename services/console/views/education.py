"""安全教育: the calendar with its subscription link, activities (create, edit, cancel; a taken
venue named beside the venue and the times), an activity's page with who signed in (list and
.xlsx), its drill results and problems, the sign-in QR code for the projector, coverage.
Every rule is the education service's: its refusals come back beside the fields, in Chinese,
with what was typed; units are shown by name."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from markupsafe import Markup

from services.console import auth
from services.console.client import ServiceError
from services.console.format import campus_dt, campus_today
from services.console.labels import labels
from services.console.views.common import api, download, flash_error, form_value, get_json
from services.console.views.dashboard import unit_names
from services.console.views.education_forms import (
    activity_body,
    activity_errors,
    activity_typed_from,
    by_last_name,
    plan_choices,
    typed_activity,
    warnings_in_chinese,
)
from services.console.views.grid_forms import refused
from services.console.views.grid_import import _row_errors, _upload

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
    names = unit_names()
    unit = request.args.get("unit") or auth.user().unit
    return render_template(
        "education/calendar.html",
        calendar=calendar,
        by_month=by_month,
        names=names,
        unit=unit,
        subscription=_subscription(unit),
        can_choose=auth.user().is_global,
        may_plan=_may_plan(),
    )


def _may_plan() -> bool:
    """Whether to offer 新建活动 (the service decides anyway: the security office, or a unit's
    manager for their unit's activities)."""
    return bool({"security_office", "unit_manager"} & set(auth.user().roles))


def _subscription(unit: str | None) -> dict | None:
    """The unit's calendar feed URL to subscribe from a phone, when the person may have it."""
    if not unit:
        return None
    try:
        return get_json("education", f"/calendar/{unit}/subscription")
    except ServiceError as exc:
        if exc.status in (403, 404, 422):
            return None
        raise


# -- create, edit, cancel ------------------------------------------------------------------------
def _activity_form(activity: dict | None, typed: dict, errors: dict, status: int = 200):
    names = unit_names()
    user = auth.user()
    organisers = names if user.is_global else {c: n for c, n in names.items() if c == user.unit}
    page = render_template(
        "education/activity_form.html",
        activity=activity,
        typed=typed,
        errors=errors,
        kinds=labels("education", "kinds"),
        names=names,
        organisers=organisers,
        plans=plan_choices(),
    )
    return page, status


def _scheduled(reply: dict, verb: str) -> None:
    flash(f"已{verb}活动：{reply['title']}", "success")
    for said in warnings_in_chinese(reply.get("warnings") or [], unit_names()):
        flash(said, "warning")


@blp.route("/activities/new", methods=["GET", "POST"])
def new_activity():
    typed: dict = {"organiser_unit": auth.user().unit, "targets": [auth.user().unit]}
    if request.method == "POST":
        typed = typed_activity()
        try:
            body = activity_body(typed, creating=True)
            reply = api("education", "POST", "/activities", json_body=body).json()
        except ServiceError as exc:
            return _activity_form(None, typed, activity_errors(exc), exc.status)
        _scheduled(reply, "安排")
        return redirect(url_for("education.activity", activity_id=reply["id"]))
    return _activity_form(None, typed, {})


@blp.route("/activities/<activity_id>/edit", methods=["GET", "POST"])
def edit_activity(activity_id: str):
    item = get_json("education", f"/activities/{activity_id}")
    if request.method == "POST":
        typed = typed_activity()
        headers = {"If-Match": f'"{request.form.get("version") or item["version"]}"'}
        try:
            body = activity_body(typed, creating=False)
            if set(typed["targets"]) == {t["unit_code"] for t in item["targets"]}:
                body.pop("targets", None)  # unchanged: keep the classes the service holds
            path = f"/activities/{activity_id}"
            reply = api("education", "PATCH", path, json_body=body, headers=headers).json()
        except ServiceError as exc:
            return _activity_form(item, typed, activity_errors(exc), exc.status)
        _scheduled(reply, "修改")
        return redirect(url_for("education.activity", activity_id=activity_id))
    return _activity_form(item, activity_typed_from(item), {})


@blp.route("/activities/<activity_id>/cancel", methods=["POST"])
def cancel_activity(activity_id: str):
    reason = form_value("reason")
    try:
        path = f"/activities/{activity_id}/cancel"
        api("education", "POST", path, json_body={"reason": reason or ""})
    except ServiceError as exc:
        errors = refused(exc, ("reason",), "reason")
        return _activity_page(activity_id, errors, {"reason": reason}, exc.status)
    flash("活动已取消，场地已释放", "success")
    return redirect(url_for("education.activity", activity_id=activity_id))


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
    return _activity_page(activity_id)


def _activity_page(
    activity_id: str,
    errors: dict | None = None,
    typed: dict | None = None,
    status: int = 200,
    import_errors: list | None = None,
):
    """The activity with who signed in and, for a drill, its results; a refused form of the
    page shown again with ``errors`` beside its fields and what was ``typed``."""
    item = get_json("education", f"/activities/{activity_id}")
    drill = None
    if item["kind"] == "drill":
        drill = get_json("education", f"/activities/{activity_id}/drill-result")
    page = render_template(
        "education/activity.html",
        activity=item,
        sign_in=_sign_in(activity_id),
        attendance=get_json("education", f"/activities/{activity_id}/attendance"),
        enrolments=get_json("education", f"/activities/{activity_id}/enrolments"),
        drill=drill,
        names=unit_names(),
        categories=labels("education", "categories"),
        severities=labels("education", "severities"),
        errors=errors or {},
        typed=typed or {},
        import_errors=import_errors or [],
        may_plan=_may_plan(),
    )
    return page, status


@blp.route("/activities/<activity_id>/enrolments/import", methods=["POST"])
def import_enrolments(activity_id: str):
    """A class list enrolled as a whole, or nothing and each bad row listed."""
    upload = _upload()
    if upload is None:
        errors = {"file": "请选择要导入的 .xlsx 或 .csv 名单文件"}
        return _activity_page(activity_id, errors, {}, 422)
    try:
        path = f"/activities/{activity_id}/enrolments/import"
        result = api("education", "POST", path, files=[upload]).json()
    except ServiceError as exc:
        rows = _row_errors(exc)
        errors = {} if rows else refused(exc, ("file",), "file")
        return _activity_page(activity_id, errors, {}, exc.status, import_errors=rows)
    flash(
        f"名单已导入：新报名 {result['enrolled']} 人，已报名 {result['already_enrolled']} 人",
        "success",
    )
    return redirect(url_for("education.activity", activity_id=activity_id) + "#h-att")


@blp.route("/activities/<activity_id>/attendance.xlsx")
def attendance_sheet(activity_id: str):
    return download("education", f"/activities/{activity_id}/attendance.xlsx")


# -- drill results and problems ----------------------------------------------------------------
DRILL_FIELDS = ("participants", "evacuation_seconds", "observations")
PROBLEM_FIELDS = ("category", "severity", "description", "unit_code")


def _typed_problem() -> dict | None:
    problem = {k: form_value(k) for k in PROBLEM_FIELDS}
    if not problem["description"] and not problem["category"]:
        return None  # no problem typed: the drill went without one
    return {k: v for k, v in problem.items() if v}


@blp.route("/activities/<activity_id>/drill-result", methods=["POST"])
def record_drill(activity_id: str):
    typed = {k: form_value(k) for k in (*DRILL_FIELDS, *PROBLEM_FIELDS)}
    body: dict = {k: typed[k] for k in DRILL_FIELDS if typed[k] is not None}
    problem = _typed_problem()
    body["problems"] = [problem] if problem else []
    try:
        api("education", "POST", f"/activities/{activity_id}/drill-result", json_body=body)
    except ServiceError as exc:
        errors = refused(by_last_name(exc), (*DRILL_FIELDS, *PROBLEM_FIELDS), "participants")
        return _activity_page(activity_id, errors, typed, exc.status)
    flash("演练结果已记录" + ("，发现的问题将转为隐患" if problem else ""), "success")
    return redirect(url_for("education.activity", activity_id=activity_id) + "#h-drill")


@blp.route("/activities/<activity_id>/problems", methods=["POST"])
def add_problem(activity_id: str):
    typed = {f"p_{k}": form_value(f"p_{k}") for k in PROBLEM_FIELDS}
    problem = {k: typed[f"p_{k}"] for k in PROBLEM_FIELDS if typed[f"p_{k}"]}
    try:
        path = f"/activities/{activity_id}/problems"
        api("education", "POST", path, json_body={"problems": [problem]})
    except ServiceError as exc:
        named = by_last_name(exc)
        renamed = [{**p, "name": f"p_{p.get('name', '')}"} for p in named.fields]
        exc = ServiceError(exc.status, {**exc.problem, "invalid_params": renamed}, exc.service)
        fields = tuple(f"p_{k}" for k in PROBLEM_FIELDS)
        return _activity_page(activity_id, refused(exc, fields, "p_description"), typed, exc.status)
    flash("已补充演练发现的问题，将转为隐患", "success")
    return redirect(url_for("education.activity", activity_id=activity_id) + "#h-drill")


# -- coverage ------------------------------------------------------------------------------------
@blp.route("/coverage")
def coverage():
    """Which units had no activity of a kind in a period (the service's answer)."""
    today = campus_today()
    typed = {
        "kind": request.args.get("kind") or "drill",
        "from": request.args.get("from") or today.replace(month=1, day=1).isoformat(),
        "to": request.args.get("to") or today.isoformat(),
        "include_planned": request.args.get("include_planned") == "1",
    }
    result, errors = None, {}
    try:
        result = get_json(
            "education",
            "/coverage",
            kind=typed["kind"],
            **{"from": typed["from"], "to": typed["to"]},
            include_planned=str(typed["include_planned"]).lower(),
        )
    except ServiceError as exc:
        errors = refused(exc, ("kind", "from", "to"), "kind")
    return render_template(
        "education/coverage.html",
        result=result,
        typed=typed,
        errors=errors,
        kinds=labels("education", "kinds"),
        names=unit_names(),
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
