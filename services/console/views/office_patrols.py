"""门卫值守、内部巡查 (patrols): the routes one keeps and walks, the patrols with filters, a new
route (its places picked in walking order), and a patrol on the phone: each place's 签到
button (or what its QR code says, typed or pasted from the phone's scanner), a finding at a
place (it opens one hazard in 隐患台账), and 结束巡查, which lists the places missed. Every
rule is the hazard service's; a refused form keeps what was typed."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services.console import auth
from services.console.client import ServiceError
from services.console.labels import hazard_labels
from services.console.views.common import api, form_value, get_json, pages
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import refused
from services.console.views.office_joint import whole_fields
from services.console.views.registers import place_choices

blp = Blueprint("patrols", __name__, url_prefix="/office/patrols")
PAGE_SIZE = 30
FILTERS = ("on", "status", "route_id", "has_missed")
ROUTE_FIELDS = ("name", "unit_code", "cell_ids")
FINDING_FIELDS = ("cell_id", "category", "severity", "description")


@blp.route("")
def patrols():
    filters = {k: request.args.get(k) or None for k in FILTERS}
    page = max(request.args.get("page", 1, type=int), 1)
    params = {k: v for k, v in filters.items() if v}
    reply = api(
        "hazards", "GET", "/patrols", params={**params, "page": page, "page_size": PAGE_SIZE}
    )
    routes = get_json("hazards", "/patrol-routes", active="true")
    return render_template(
        "office/patrols.html",
        patrols=reply.json(),
        routes=routes,
        filters=filters,
        statuses=hazard_labels("patrol_statuses"),
        names=unit_names(),
        paging=pages(reply.total, page, PAGE_SIZE),
        # who keeps routes (the service decides anyway): the office, a unit's manager
        may_keep=bool(set(auth.user().roles) & {"security_office", "unit_manager"}),
    )


@blp.route("", methods=["POST"])
def start():
    """开始巡查 of a route: the caller walks it today."""
    route_id = form_value("route_id")
    try:
        made = api("hazards", "POST", "/patrols", json_body={"route_id": route_id or ""}).json()
    except ServiceError as exc:
        flash("未能开始巡查：" + refused(exc, ("route_id",), "route_id")["route_id"], "error")
        return redirect(url_for("patrols.patrols"))
    return redirect(url_for("patrols.patrol", patrol_id=made["id"]))


def _route_form(typed: dict, errors: dict, status: int = 200):
    user = auth.user()
    units = unit_names() if "security_office" in user.roles else {}
    page = render_template(
        "office/route_form.html", typed=typed, errors=errors, choices=place_choices(), units=units
    )
    return page, status


@blp.route("/routes/new", methods=["GET", "POST"])
def new_route():
    user = auth.user()
    if request.method == "GET":
        return _route_form({"unit_code": None if user.is_global else user.unit, "cell_ids": []}, {})
    typed = {
        "name": form_value("name"),
        "unit_code": form_value("unit_code") if "security_office" in user.roles else user.unit,
        "cell_ids": [c for c in request.form.getlist("cell_ids") if c],
    }
    try:
        body = {k: v for k, v in typed.items() if v not in (None, "")}
        api("hazards", "POST", "/patrol-routes", json_body=body)
    except ServiceError as exc:
        return _route_form(typed, refused(whole_fields(exc), ROUTE_FIELDS, "name"), exc.status)
    flash(f"已建立巡查路线：{typed['name']}", "success")
    return redirect(url_for("patrols.patrols"))


@blp.route("/routes/<route_id>/retire", methods=["POST"])
def retire_route(route_id: str):
    """停用 a route: no new patrol of it; patrols walked keep their places."""
    try:
        api("hazards", "PATCH", f"/patrol-routes/{route_id}", json_body={"active": False})
    except ServiceError as exc:
        flash("未能停用：" + refused(exc, ("active",), "active")["active"], "error")
    else:
        flash("巡查路线已停用", "success")
    return redirect(url_for("patrols.patrols"))


def _patrol_page(patrol_id: str, errors: dict | None = None, typed: dict | None = None, status=200):
    item = get_json("hazards", f"/patrols/{patrol_id}")
    mine = item["runner"] == auth.user().sub or "security_office" in auth.user().roles
    page = render_template(
        "office/patrol.html",
        patrol=item,
        mine=mine,
        places={p["cell_id"]: p["name"] for p in item["places"]},
        errors=errors or {},
        typed=typed or {"severity": "general"},
        categories=hazard_labels("categories"),
        severities=hazard_labels("severities"),
    )
    return page, status


@blp.route("/of-hazard/<hazard_id>")
def of_hazard(hazard_id: str):
    """The patrol whose finding opened the hazard (the hazard page's backlink)."""
    found = get_json("hazards", "/patrols", hazard_id=hazard_id)
    if not found:
        flash("未找到发现该隐患的巡查记录", "error")
        return redirect(url_for("hazards.hazard", hazard_id=hazard_id))
    return redirect(url_for("patrols.patrol", patrol_id=found[0]["id"]))


@blp.route("/<patrol_id>")
def patrol(patrol_id: str):
    return _patrol_page(patrol_id)


@blp.route("/<patrol_id>/check-in", methods=["POST"])
def check_in(patrol_id: str):
    """签到: a place's button (cell_id) or what its QR code says (scan)."""
    typed = {"scan": form_value("scan"), "cell_id": form_value("cell_id")}
    try:
        body = {k: v for k, v in typed.items() if v}
        api("hazards", "POST", f"/patrols/{patrol_id}/check-ins", json_body=body)
    except ServiceError as exc:
        return _patrol_page(patrol_id, refused(exc, ("scan", "cell_id"), "scan"), typed, exc.status)
    flash("已签到", "success")
    return redirect(url_for("patrols.patrol", patrol_id=patrol_id) + "#places")


@blp.route("/<patrol_id>/findings", methods=["POST"])
def add_finding(patrol_id: str):
    typed = {k: form_value(k) for k in FINDING_FIELDS}
    try:
        body = {k: v for k, v in typed.items() if v is not None}
        found = api("hazards", "POST", f"/patrols/{patrol_id}/findings", json_body=body).json()
    except ServiceError as exc:
        errors = refused(exc, FINDING_FIELDS, "description")
        return _patrol_page(patrol_id, errors, typed, exc.status)
    flash(f"已记录发现的问题，隐患 {found['hazard_number']} 已进入隐患台账", "success")
    return redirect(url_for("patrols.patrol", patrol_id=patrol_id) + "#findings")


@blp.route("/<patrol_id>/finish", methods=["POST"])
def finish(patrol_id: str):
    try:
        done = api("hazards", "POST", f"/patrols/{patrol_id}/finish", json_body={}).json()
    except ServiceError as exc:
        return _patrol_page(patrol_id, refused(exc, ("status",), "status"), {}, exc.status)
    missed = len(done["missed"])
    flash(f"巡查已结束，漏巡 {missed} 处" if missed else "巡查已结束，各处均已签到", "success")
    return redirect(url_for("patrols.patrol", patrol_id=patrol_id))
