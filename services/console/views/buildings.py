"""建筑建档: the buildings register's pages (the list with its due list, the form, the
building page with its construction sites, evacuation drawing and its place's risk points,
hazards and special equipment, and the .xlsx). Every rule is the hazard service's (who may
write, when an appraisal has lapsed); the console shows its answers, with names not codes."""

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
    get_json,
    list_page,
    problem_message,
)
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import may_manage, refused
from services.console.views.registers import place_choices, place_names, reads_across_units

blp = Blueprint("buildings", __name__, url_prefix="/registers/buildings")
PAGE_SIZE = 30
FIELDS = ("cell_id", "name", "built_year", "structure", "floors", "area", "use")
FIELDS += ("appraised_on", "appraisal_grade", "appraisal_due", "fire_facilities")
EDIT_FIELDS = tuple(f for f in FIELDS if f != "cell_id")
NUMBERS = ("built_year", "floors", "area")
SITE_FIELDS = ("project", "contractor", "starts_on", "ends_on")
# The choices the forms offer (the service validates them and names them in its answers).
STRUCTURES = {
    "frame": "框架结构",
    "brick_concrete": "砖混结构",
    "shear_wall": "剪力墙结构",
    "steel": "钢结构",
    "brick_wood": "砖木结构",
    "other": "其他",
}
USES = {
    "teaching": "教学",
    "laboratory": "实验",
    "dormitory": "宿舍",
    "office": "办公",
    "canteen": "食堂",
    "library": "图书馆",
    "sports": "体育场馆",
    "other": "其他",
}
GRADES = {
    "A": "A级（安全）",
    "B": "B级（基本安全）",
    "C": "C级（局部危房）",
    "D": "D级（整幢危房）",
}
FLAGS = {"low_lying": "低洼", "geological": "地质灾害", "lightning": "雷击", "subsidence": "沉陷"}
DUE = {"unsafe": "危房（C/D级）", "lapsed": "鉴定已过期", "due_soon": "鉴定即将到期"}
FILTERS = ("unit_code", "use", "due", "risk_flag")


def _filters() -> dict[str, str]:
    return chosen_filters(FILTERS)


@blp.route("")
def buildings():
    """The register as the due list: the soonest (or longest lapsed) appraisal first."""
    user = auth.user()
    filters = _filters()
    reply, paging = list_page("hazards", "/buildings", filters, PAGE_SIZE, sort="due")
    return render_template(
        "buildings/list.html",
        buildings=reply.json(),
        paging=paging,
        filters=filters,
        names=unit_names(),
        places=place_names(),
        uses=USES,
        flags=FLAGS,
        due_states=DUE,
        show_unit_filter=reads_across_units(user),
        may_create=may_manage(user.unit),
    )


@blp.route("/export.xlsx")
def export():
    return download("hazards", "/buildings/export.xlsx", **_filters())


def _number(value: str | None) -> Any:
    """Digits go as a number; anything else as typed (the service says why)."""
    if value is None:
        return None
    try:
        return float(value) if "." in value else int(value)
    except ValueError:
        return value


def _typed(fields: tuple[str, ...]) -> dict[str, Any]:
    typed: dict[str, Any] = {k: form_value(k) for k in fields}
    typed["risk_flags"] = request.form.getlist("risk_flags")
    return typed


def _body(typed: dict[str, Any], editing: bool) -> dict[str, Any]:
    """Creating: the filled fields; editing: every field, an emptied one as null."""
    body = {}
    for key, value in typed.items():
        if value is None and not editing:
            continue
        body[key] = _number(value) if key in NUMBERS else value
    return body


def _form(item: dict | None, typed: dict, errors: dict, status: int = 200, **extra):
    shown = {k: ("" if v is None else v) for k, v in typed.items()}
    page = render_template(
        "buildings/form.html",
        item=item,
        typed=shown,
        errors=errors,
        choices=place_choices(),
        structures=STRUCTURES,
        uses=USES,
        grades=GRADES,
        flags=FLAGS,
        **extra,
    )
    return page, status


@blp.route("/new", methods=["GET", "POST"])
def new_building():
    if request.method == "GET":
        return _form(None, {"cell_id": request.args.get("cell_id"), "risk_flags": []}, {})
    typed = _typed(FIELDS)
    try:
        made = api("hazards", "POST", "/buildings", json_body=_body(typed, False)).json()
    except ServiceError as exc:
        return _form(None, typed, refused(exc, FIELDS + ("risk_flags",), "name"), exc.status)
    flash(f"已建档：{made['name']}", "success")
    return redirect(url_for("buildings.building", building_id=made["id"]))


def _page(building_id: str, typed: dict | None = None, errors: dict | None = None, status=200):
    reply = api("hazards", "GET", f"/buildings/{building_id}")
    item = reply.json()
    return _form(
        item,
        typed if typed is not None else item,
        errors or {},
        status,
        etag=reply.headers.get("etag", ""),
        related=get_json("hazards", f"/buildings/{building_id}/related"),
        may_edit=may_manage(item["unit_code"]),
        places=place_names(),
    )


@blp.route("/<building_id>", methods=["GET", "POST"])
def building(building_id: str):
    """The building page: its record (editable by its unit), sites, drawing, related lists."""
    if request.method == "GET":
        return _page(building_id)
    typed = _typed(EDIT_FIELDS)
    headers = {"If-Match": request.form["etag"]} if request.form.get("etag") else {}
    path = f"/buildings/{building_id}"
    try:
        api("hazards", "PATCH", path, json_body=_body(typed, True), headers=headers)
    except ServiceError as exc:
        errors = refused(exc, EDIT_FIELDS + ("risk_flags",), "name")
        return _page(building_id, typed, errors, exc.status)
    flash("已保存建筑档案", "success")
    return redirect(url_for("buildings.building", building_id=building_id))


@blp.route("/<building_id>/sites", methods=["POST"])
def add_site(building_id: str):
    """在建项目: the service refuses an end before the start, beside the field."""
    body: dict[str, Any] = {k: form_value(k) for k in SITE_FIELDS}
    body["isolated"] = request.form.get("isolated") == "1"
    try:
        api("hazards", "POST", f"/buildings/{building_id}/sites", json_body=body)
    except ServiceError as exc:
        errors = {f"site_{k}": v for k, v in refused(exc, SITE_FIELDS, "project").items()}
        return _page(building_id, None, errors, exc.status)
    flash(f"已登记施工项目：{body['project']}", "success")
    return redirect(url_for("buildings.building", building_id=building_id))


@blp.route("/<building_id>/drawing", methods=["GET", "POST"])
def drawing(building_id: str):
    """疏散图: shown (or downloaded) as stored; a new upload replaces it."""
    path = f"/buildings/{building_id}/drawing"
    if request.method == "GET":
        return download("hazards", path)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("请选择疏散图文件", "error")
    else:
        content = upload.read()
        mimetype = upload.mimetype or "application/octet-stream"
        try:
            api("hazards", "POST", path, files=[("file", upload.filename, mimetype, content)])
            flash("已上传疏散图", "success")
        except ServiceError as exc:
            if exc.status >= 500:
                raise
            flash(f"疏散图未能上传：{problem_message(exc)}", "error")
    return redirect(url_for("buildings.building", building_id=building_id))
