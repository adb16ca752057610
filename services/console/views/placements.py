"""实训实习: the placement register's pages (the list and its due list, the form, the
placement page with its agreement upload and the start / finish steps, the .xlsx). Every
rule is the hazard service's (what a start needs, who may write); the console shows its
answers — a refused start names what is missing — with names rather than codes."""

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
    problem_message,
)
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import may_manage, refused
from services.console.views.registers import place_choices, place_names, reads_across_units

blp = Blueprint("placements", __name__, url_prefix="/registers/placements")
PAGE_SIZE = 30
FIELDS = ("kind", "title", "cell_id", "host_name", "host_address", "host_contact")
FIELDS += ("leader_name", "starts_on", "ends_on", "student_count", "students")
FIELDS += ("insurance_policy_no", "insurer", "insurance_from", "insurance_to")
FIELDS += ("briefing_activity_id", "briefing_held_on", "note")
# The choices the forms offer (the service validates them and names them in its answers).
KINDS = {"training": "校外实训", "internship": "实习", "social_practice": "校外社会实践"}
STATUSES = {"planned": "待出发", "under_way": "进行中", "finished": "已结束", "cancelled": "已取消"}
DUE = {"blocked": "已到开始日期但条件不全", "due_soon": "即将开始但条件不全"}
FILTERS = ("unit_code", "kind", "status", "due")


def _filters() -> dict[str, str]:
    return chosen_filters(FILTERS)


@blp.route("")
def placements():
    """The register by start date; due=… is the due list (what a start still lacks)."""
    user = auth.user()
    filters = _filters()
    reply, paging = list_page("hazards", "/placements", filters, PAGE_SIZE, sort="due")
    return render_template(
        "placements/list.html",
        placements=reply.json(),
        paging=paging,
        filters=filters,
        names=unit_names(),
        kinds=KINDS,
        statuses=STATUSES,
        due_states=DUE,
        show_unit_filter=reads_across_units(user),
        may_create=may_manage(user.unit),
    )


@blp.route("/export.xlsx")
def export():
    return download("hazards", "/placements/export.xlsx", **_filters())


def _typed() -> dict[str, Any]:
    return {k: form_value(k) for k in FIELDS}


def _body(typed: dict[str, Any], editing: bool) -> dict[str, Any]:
    """Creating: the filled fields; editing: every field, an emptied one as null. The
    students are one a line; a count in digits goes as a number."""
    body: dict[str, Any] = {}
    for key, value in typed.items():
        if key == "cell_id" and editing:
            continue
        if key == "students":
            body[key] = [s.strip() for s in (value or "").splitlines() if s.strip()]
        elif key == "student_count" and value is not None and value.isdigit():
            body[key] = int(value)
        elif value is not None or editing:
            body[key] = value
    return body


def _form(item: dict | None, typed: dict, errors: dict, status: int = 200, **extra):
    shown = {k: ("" if v is None else v) for k, v in typed.items()}
    if isinstance(shown.get("students"), list):
        shown["students"] = "\n".join(shown["students"])
    page = render_template(
        "placements/form.html",
        item=item,
        typed=shown,
        errors=errors,
        choices=place_choices(),
        kinds=KINDS,
        names=unit_names(),
        places=place_names(),
        editable=item is None or may_manage(item.get("unit_code")),
        **extra,
    )
    return page, status


@blp.route("/new", methods=["GET", "POST"])
def new_placement():
    if request.method == "GET":
        return _form(None, {"cell_id": request.args.get("cell_id")}, {})
    typed = _typed()
    try:
        made = api("hazards", "POST", "/placements", json_body=_body(typed, False)).json()
    except ServiceError as exc:
        return _form(None, typed, refused(exc, FIELDS, "title"), exc.status)
    flash(f"已登记实训实习：{made['title']}", "success")
    return redirect(url_for("placements.placement", placement_id=made["id"]))


def _page(placement_id: str, typed: dict | None = None, errors: dict | None = None, status=200):
    reply = api("hazards", "GET", f"/placements/{placement_id}")
    item = reply.json()
    return _form(
        item,
        typed if typed is not None else item,
        errors or {},
        status,
        etag=reply.headers.get("etag", ""),
    )


@blp.route("/<placement_id>", methods=["GET", "POST"])
def placement(placement_id: str):
    if request.method == "GET":
        return _page(placement_id)
    typed = _typed()
    headers = {"If-Match": request.form["etag"]} if request.form.get("etag") else {}
    path = f"/placements/{placement_id}"
    try:
        api("hazards", "PATCH", path, json_body=_body(typed, True), headers=headers)
    except ServiceError as exc:
        return _page(placement_id, typed, refused(exc, FIELDS, "title"), exc.status)
    flash("已保存实训实习信息", "success")
    return redirect(url_for("placements.placement", placement_id=placement_id))


@blp.route("/<placement_id>/<step>", methods=["POST"])
def step(placement_id: str, step: str):
    """出发 / 结束 / 取消: a refused start says what is missing (the service's 409)."""
    path = f"/placements/{placement_id}"
    calls = {
        "start": ("POST", f"{path}/start", {}, "已出发"),
        "finish": ("POST", f"{path}/finish", {}, "已结束"),
        "cancel": ("PATCH", path, {"cancelled": True}, "已取消"),
    }
    if step not in calls:
        flash("没有这个操作", "error")
        return redirect(url_for("placements.placement", placement_id=placement_id))
    method, target, body, done = calls[step]
    try:
        api("hazards", method, target, json_body=body)
        flash(done, "success")
    except ServiceError as exc:
        if exc.status >= 500:
            raise
        flash(problem_message(exc), "error")
    return redirect(url_for("placements.placement", placement_id=placement_id))


@blp.route("/<placement_id>/agreement", methods=["GET", "POST"])
def agreement(placement_id: str):
    """安全协议: the newest one as stored; a new upload is kept beside the earlier ones."""
    path = f"/placements/{placement_id}/agreement"
    if request.method == "GET":
        return download("hazards", path)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("请选择安全协议文件", "error")
    else:
        content = upload.read()
        mimetype = upload.mimetype or "application/octet-stream"
        try:
            api("hazards", "POST", path, files=[("file", upload.filename, mimetype, content)])
            flash("已上传安全协议", "success")
        except ServiceError as exc:
            if exc.status >= 500:
                raise
            flash(f"安全协议未能上传：{problem_message(exc)}", "error")
    return redirect(url_for("placements.placement", placement_id=placement_id))
