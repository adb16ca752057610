"""应急预案: the emergency-plan register's pages (the list and its due list, the form, the
plan page with its drills, the .xlsx). Every rule is the hazard service's (the lapses, who
may write); the console shows its answers with names rather than codes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services.console import auth
from services.console.client import ServiceError
from services.console.views.common import (
    api,
    chosen_filters,
    download,
    form_value,
    list_page,
)
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import may_manage, refused
from services.console.views.registers import reads_across_units

blp = Blueprint("emergency_plans", __name__, url_prefix="/registers/emergency-plans")
PAGE_SIZE = 30
FIELDS = ("unit_code", "scenario", "title", "edition", "approved_by", "approved_on")
FIELDS += ("review_due", "drill_period_days", "status", "note")
# The choices the forms offer (the service validates them and names them in its answers).
SCENARIOS = {
    "fire": "火灾",
    "flood": "防汛",
    "earthquake": "地震",
    "crowd": "拥挤踩踏",
    "food_poisoning": "食物中毒",
    "lab_spill": "实验室危化品泄漏",
    "special_equipment": "特种设备事故",
    "public_health": "公共卫生事件",
    "other": "其他",
}
STATUSES = {"in_force": "现行有效", "withdrawn": "已废止"}
LAPSES = {"drill": "超期未演练", "review": "超期未修订"}
FILTERS = ("unit_code", "scenario", "status", "lapse")


def _filters() -> dict[str, str]:
    return chosen_filters(FILTERS)


@blp.route("")
def plans():
    """The register; lapse=… is the due list (超期未演练 / 超期未修订), with the counts."""
    user = auth.user()
    filters = _filters()
    reply, paging = list_page("hazards", "/emergency-plans", filters, PAGE_SIZE)
    unit = {"unit_code": filters["unit_code"]} if filters.get("unit_code") else {}
    summary = api("hazards", "GET", "/emergency-plans/summary", params=unit).json()
    return render_template(
        "emergency_plans/list.html",
        plans=reply.json(),
        summary=summary,
        paging=paging,
        filters=filters,
        names=unit_names(),
        scenarios=SCENARIOS,
        statuses=STATUSES,
        lapses=LAPSES,
        show_unit_filter=reads_across_units(user),
        may_create=may_manage(user.unit),
    )


@blp.route("/export.xlsx")
def export():
    return download("hazards", "/emergency-plans/export.xlsx", **_filters())


def _typed() -> dict[str, Any]:
    return {k: form_value(k) for k in FIELDS}


def _body(typed: dict[str, Any], editing: bool) -> dict[str, Any]:
    """Creating: the filled fields; editing: every field but the unit, an emptied one as
    null. A period in digits goes as a number."""
    body: dict[str, Any] = {}
    for key, value in typed.items():
        if editing and key == "unit_code":
            continue
        if not editing and key == "status":
            continue
        if key == "drill_period_days" and value is not None and value.isdigit():
            body[key] = int(value)
        elif value is not None or editing:
            body[key] = value
    return body


def _form(item: dict | None, typed: dict, errors: dict, status: int = 200, **extra):
    shown = {k: ("" if v is None else v) for k, v in typed.items()}
    user = auth.user()
    page = render_template(
        "emergency_plans/form.html",
        item=item,
        typed=shown,
        errors=errors,
        scenarios=SCENARIOS,
        statuses=STATUSES,
        names=unit_names(),
        units={code: name for code, name in unit_names().items() if may_manage(code)}
        if user.is_global
        else {user.unit: unit_names().get(user.unit, user.unit)},
        editable=item is None or may_manage(item.get("unit_code")),
        **extra,
    )
    return page, status


@blp.route("/new", methods=["GET", "POST"])
def new_plan():
    if request.method == "GET":
        return _form(None, {"unit_code": auth.user().unit, "drill_period_days": "180"}, {})
    typed = _typed()
    try:
        made = api("hazards", "POST", "/emergency-plans", json_body=_body(typed, False)).json()
    except ServiceError as exc:
        return _form(None, typed, refused(exc, FIELDS, "title"), exc.status)
    flash(f"已登记应急预案：{made['title']}", "success")
    return redirect(url_for("emergency_plans.plan", plan_id=made["id"]))


def _page(plan_id: str, typed: dict | None = None, errors: dict | None = None, status=200):
    reply = api("hazards", "GET", f"/emergency-plans/{plan_id}")
    item = reply.json()
    drills = api("hazards", "GET", f"/emergency-plans/{plan_id}/drills").json()
    return _form(
        item,
        typed if typed is not None else item,
        errors or {},
        status,
        drills=drills,
        etag=reply.headers.get("etag", ""),
    )


@blp.route("/<plan_id>", methods=["GET", "POST"])
def plan(plan_id: str):
    if request.method == "GET":
        return _page(plan_id)
    typed = _typed()
    headers = {"If-Match": request.form["etag"]} if request.form.get("etag") else {}
    path = f"/emergency-plans/{plan_id}"
    try:
        api("hazards", "PATCH", path, json_body=_body(typed, True), headers=headers)
    except ServiceError as exc:
        return _page(plan_id, typed, refused(exc, FIELDS, "title"), exc.status)
    flash("已保存应急预案", "success")
    return redirect(url_for("emergency_plans.plan", plan_id=plan_id))
