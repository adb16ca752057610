"""登记册: risk points (风险点, with a place's printable 风险公告), daily inspections on a
phone (日常巡查: the place's checklist as taps; a failed item opens a hazard, the hazard
service's rule) and special equipment with its due list (特种设备). Every rule is the
hazard service's: who may write, the level of a risk, what a failed item opens, when
equipment is due; the console shows what it answers, with names rather than codes."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from services.console import auth
from services.console.client import ServiceError
from services.console.format import campus_today
from services.console.labels import hazard_labels
from services.console.views.common import api, form_value, get_json, pages, problem_message
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import in_chinese, may_manage, refused

blp = Blueprint("registers", __name__, url_prefix="/registers")
PAGE_SIZE = 30

RISK_FIELDS = (
    "cell_id",
    "category",
    "name",
    "hazard_factors",
    "likelihood",
    "severity",
    "control_measures",
    "emergency_measures",
    "owner_name",
    "next_review_on",
)
RISK_NULLABLE = ("hazard_factors", "emergency_measures")
EQUIPMENT_FIELDS = (
    "registration_no",
    "kind",
    "name",
    "model",
    "cell_id",
    "location",
    "keeper_name",
    "status",
)
EQUIPMENT_DATES = ("last_inspected_on", "next_inspection_due")  # set when registering only
EQUIPMENT_NULLABLE = ("model", "location")
PERIODIC_FIELDS = ("inspected_on", "result", "next_due", "agency", "report_no", "note")
INSPECT_FORBIDDEN = "只有安全保卫处、本单位负责人、负责该地点的网格员或该类别的牵头部门可以巡查"


def reads_across_units(user) -> bool:
    """Whether a register's list offers the unit filter: the campus-wide roles, and lead
    departments, who read every unit's records of the categories they lead (the services'
    register access decides what each one actually sees)."""
    return user.is_global or "lead_department" in user.roles


# -- places by name --------------------------------------------------------------------------
def _cells() -> dict[str, dict]:
    """The grid's cells by id, once per page; ended places (停用) too: records name them."""
    if "register_cells" not in g:
        cells = get_json("grid", "/cells", include_ended="true")
        g.register_cells = {c["id"]: c for c in cells}
    return g.register_cells


def place_names() -> dict[str, str]:
    return {cell_id: c["name"] for cell_id, c in _cells().items()}


def _path(cell: dict, cells: dict[str, dict]) -> str:
    """A place's name below its unit's cell (``1号教学楼 › 3层``), the unit cell its own."""
    names, current, seen = [], cell, set()
    while current and current["id"] not in seen and (current["level"] or 0) > 2:
        seen.add(current["id"])
        names.insert(0, current["name"])
        current = cells.get(current.get("parent_id") or "")
    return " › ".join(names) or cell["name"]


def place_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The places offered, by unit name: one's own unit's (every unit's for global roles and
    lead departments, who inspect across units); the service decides anyway."""
    user, cells, names = auth.user(), _cells(), unit_names()
    everywhere = user.is_global or "lead_department" in user.roles or not user.unit
    groups: dict[str, list[tuple[str, str]]] = {}
    for cell in sorted(cells.values(), key=lambda c: (c.get("unit_code") or "", c["code"])):
        unit = cell.get("unit_code")
        if cell.get("ended_on"):
            continue  # an ended place takes nothing new
        if unit and (everywhere or unit == user.unit):
            groups.setdefault(names.get(unit, unit), []).append((cell["id"], _path(cell, cells)))
    return list(groups.items())


def _errors(exc: ServiceError, fields: tuple[str, ...], default: str, forbidden: str = ""):
    """The service's refusal beside the form's fields, in Chinese; a 403 (the place is not
    the person's to write) beside the place, in ``forbidden``'s words when given."""
    if exc.status == 403 and "cell_id" in fields:
        default = "cell_id"
    errors = refused(exc, fields, default)
    if exc.status == 403 and forbidden:
        errors[default] = forbidden
    return errors


def _body(typed: dict, fields: tuple[str, ...], nullable: tuple[str, ...], editing: bool) -> dict:
    """What a form sends: when creating, the filled fields; when editing, every field (an
    emptied optional one as null, an emptied required one as "" for the service to refuse)."""
    body: dict[str, Any] = {}
    for name in fields:
        value = typed.get(name)
        if value is not None:
            body[name] = value
        elif editing:
            body[name] = None if name in nullable else ""
    return body


def _int(value: str | None) -> int | str | None:
    """A grade typed as digits goes as a number; anything else as typed (the service says why)."""
    return int(value) if value and value.isdigit() else value


def _etag_headers() -> dict[str, str]:
    return {"If-Match": request.form["etag"]} if request.form.get("etag") else {}


# -- risk points (风险点) ----------------------------------------------------------------------
@blp.route("/risks")
def risks():
    user = auth.user()
    filters = {k: request.args[k] for k in ("unit_code", "cell_id", "level") if request.args.get(k)}
    page = max(1, request.args.get("page", 1, type=int))
    reply = api(
        "hazards", "GET", "/risks", params={**filters, "page": page, "page_size": PAGE_SIZE}
    )
    return render_template(
        "registers/risks.html",
        risks=reply.json(),
        paging=pages(reply.total, page, PAGE_SIZE),
        filters=filters,
        names=unit_names(),
        places=place_names(),
        choices=place_choices(),
        levels=hazard_labels("risk_levels"),
        show_unit_filter=reads_across_units(user),
        may_create=may_manage(user.unit),
    )


def _risk_typed() -> dict:
    typed: dict[str, Any] = {k: form_value(k) for k in RISK_FIELDS}
    typed["likelihood"], typed["severity"] = _int(typed["likelihood"]), _int(typed["severity"])
    return typed


def _risk_form(risk: dict | None, typed: dict, errors: dict, status: int = 200, etag: str = ""):
    page = render_template(
        "registers/risk_form.html",
        risk=risk,
        typed={k: ("" if v is None else str(v)) for k, v in typed.items()},
        errors=errors,
        etag=etag,
        choices=place_choices(),
        categories=hazard_labels("categories"),
        likelihoods=hazard_labels("likelihoods"),
        consequences=hazard_labels("consequences"),
        editable=risk is None or may_manage(risk.get("unit_code")),
        place=place_names().get(risk["cell_id"]) if risk else None,
        names=unit_names(),
    )
    return page, status


@blp.route("/risks/new", methods=["GET", "POST"])
def new_risk():
    if request.method == "GET":
        return _risk_form(None, {"cell_id": request.args.get("cell_id")}, {})
    typed = _risk_typed()
    try:
        made = api("hazards", "POST", "/risks", json_body=_body(typed, RISK_FIELDS, (), False))
    except ServiceError as exc:
        return _risk_form(None, typed, _errors(exc, RISK_FIELDS, "name"), exc.status)
    risk = made.json()
    flash(f"已登记风险点：{risk['name']}（{risk['level_label']}）", "success")
    return redirect(url_for("registers.risk", risk_id=risk["id"]))


@blp.route("/risks/<risk_id>", methods=["GET", "POST"])
def risk(risk_id: str):
    reply = api("hazards", "GET", f"/risks/{risk_id}")
    item, etag = reply.json(), reply.headers.get("etag", "")
    if request.method == "GET":
        return _risk_form(item, item, {}, etag=etag)
    typed = _risk_typed()
    body = _body(typed, RISK_FIELDS, RISK_NULLABLE, True)
    try:
        saved = api(
            "hazards", "PATCH", f"/risks/{risk_id}", json_body=body, headers=_etag_headers()
        )
    except ServiceError as exc:
        errors = _errors(exc, RISK_FIELDS, "name")
        return _risk_form(item, typed, errors, exc.status, etag)  # the newest version's
    flash(f"已保存风险点：{saved.json()['name']}（{saved.json()['level_label']}）", "success")
    return redirect(url_for("registers.risk", risk_id=risk_id))


@blp.route("/risks/announcement")
def announcement():
    """风险公告: a place's risk points red → blue, to print on A4 or read on a phone."""
    cell_id = request.args.get("cell_id")
    board = get_json("hazards", "/risks/announcement", cell_id=cell_id) if cell_id else None
    return render_template(
        "registers/announcement.html",
        board=board,
        cell_id=cell_id,
        choices=place_choices(),
        levels=hazard_labels("risk_levels"),
        today=campus_today(),
    )


# -- daily inspections (日常巡查) --------------------------------------------------------------
@blp.route("/inspections")
def inspections():
    user = auth.user()
    keys = ("unit_code", "cell_id", "on", "has_failures")
    filters = {k: request.args[k] for k in keys if request.args.get(k)}
    page = max(1, request.args.get("page", 1, type=int))
    reply = api(
        "hazards", "GET", "/inspections", params={**filters, "page": page, "page_size": PAGE_SIZE}
    )
    return render_template(
        "registers/inspections.html",
        coverage=_coverage(filters.get("unit_code") or (None if user.is_global else user.unit)),
        inspections=reply.json(),
        paging=pages(reply.total, page, PAGE_SIZE),
        filters=filters,
        names=unit_names(),
        places=place_names(),
        choices=place_choices(),
        show_unit_filter=reads_across_units(user),
    )


def _coverage(unit_code: str | None) -> dict | None:
    """A unit's places not yet inspected today (the service's coverage), one tap from
    inspecting each; None for the whole campus or where the service says no."""
    if not unit_code:
        return None
    try:
        return get_json("hazards", "/inspections/coverage", unit_code=unit_code)
    except ServiceError as exc:
        if exc.status >= 500:
            raise
        return None


def _checklists() -> list[dict]:
    return get_json("hazards", "/checklists", active="true")


def _inspect_page(
    cell_id: str | None, template_id: str | None, typed: dict, errors: dict, status: int = 200
):
    checklist = None
    if cell_id and template_id:
        try:
            checklist = get_json("hazards", f"/checklists/{template_id}")
        except ServiceError as exc:
            if exc.status != 404:
                raise
            flash("该检查表不存在，请重新选择", "error")
    page = render_template(
        "registers/inspect.html",
        cell_id=cell_id,
        template_id=template_id,
        checklist=checklist,
        checklists=_checklists() if checklist is None else [],
        place=place_names().get(cell_id or ""),
        choices=place_choices(),
        results=hazard_labels("item_results"),
        typed=typed,
        errors=errors,
        inspection_key=request.form.get("inspection_key") or str(uuid.uuid4()),
    )
    return page, status


@blp.route("/inspections/new", methods=["GET", "POST"])
def inspect():
    """Pick the place and its checklist, then tap 合格 / 不合格 per item; a failed item may
    carry a note and a photo (stored on the hazard the failure opens)."""
    cell_id = request.values.get("cell_id") or None
    template_id = request.values.get("template_id") or None
    if request.method == "GET" or not (cell_id and template_id):
        unpicked = {"cell_id": "请选择地点"} if template_id and not cell_id else {}
        return _inspect_page(cell_id, template_id, {}, unpicked)
    checklist = get_json("hazards", f"/checklists/{template_id}")
    codes = [item["code"] for item in checklist["items"]]
    typed = {"note": form_value("note")}
    results = []
    for code in codes:
        typed[f"result-{code}"] = request.form.get(f"result-{code}") or ""
        typed[f"note-{code}"] = form_value(f"note-{code}")
        if typed[f"result-{code}"]:
            answer = {"code": code, "result": typed[f"result-{code}"]}
            if typed[f"note-{code}"]:
                answer["note"] = typed[f"note-{code}"]
            results.append(answer)
    body = {
        "id": request.form.get("inspection_key") or str(uuid.uuid4()),
        "template_id": template_id,
        "cell_id": cell_id,
        "results": results,
        **({"note": typed["note"]} if typed["note"] else {}),
    }
    try:
        done = api("hazards", "POST", "/inspections", json_body=body).json()
    except ServiceError as exc:
        errors = _errors(exc, ("template_id", "note"), "inspection", INSPECT_FORBIDDEN)
        untapped = [c for c in codes if not typed[f"result-{c}"]]
        if untapped and any(p.get("name", "").startswith("results") for p in exc.fields):
            # the service wants every item answered: mark those left without a tap
            errors.update({f"result-{c}": "请选择检查结果" for c in untapped})
            errors["inspection"] = f"还有 {len(untapped)} 项未选择检查结果（已标出）"
        if any(f.filename for f in request.files.values()):  # a browser never re-sends files
            errors["inspection"] = errors.get("inspection", "未被受理") + "；照片需重新选择"
        return _inspect_page(cell_id, template_id, typed, errors, exc.status)
    stored = _store_photos(done)
    opened = "、".join(done["hazard_numbers"])
    flash(
        "已记录巡查"
        + (f"，不合格项已开具隐患 {opened}" if opened else "，全部合格")
        + (f"，照片 {stored} 张" if stored else ""),
        "success",
    )
    return redirect(url_for("registers.inspection", inspection_id=done["id"]))


def _store_photos(done: dict) -> int:
    """Each failed item's photo, on the hazard its failure opened."""
    stored = 0
    for item in done["items"]:
        photo = request.files.get(f"photo-{item['code']}")
        if not (photo and photo.filename and item.get("hazard_id")):
            continue
        upload = (
            "file",
            photo.filename,
            photo.mimetype or "application/octet-stream",
            photo.read(),
        )
        try:
            api("hazards", "POST", f"/hazards/{item['hazard_id']}/attachments", files=[upload])
            stored += 1
        except ServiceError as exc:
            if exc.status >= 500:
                raise
            flash(f"照片 {photo.filename} 未能上传：{problem_message(in_chinese(exc))}", "error")
    return stored


@blp.route("/inspections/<inspection_id>")
def inspection(inspection_id: str):
    item = get_json("hazards", f"/inspections/{inspection_id}")
    return render_template(
        "registers/inspection.html",
        inspection=item,
        place=place_names().get(item["cell_id"], "（未知地点）"),
        names=unit_names(),
    )


# -- special equipment (特种设备) --------------------------------------------------------------
@blp.route("/equipment")
def equipment():
    user = auth.user()
    keys = ("unit_code", "kind", "status", "due")
    filters = {k: request.args[k] for k in keys if request.args.get(k)}
    page = max(1, request.args.get("page", 1, type=int))
    params = {**filters, "sort": "due", "page": page, "page_size": PAGE_SIZE}
    reply = api("hazards", "GET", "/equipment", params=params)
    return render_template(
        "registers/equipment.html",
        equipment=reply.json(),
        paging=pages(reply.total, page, PAGE_SIZE),
        filters=filters,
        names=unit_names(),
        places=place_names(),
        kinds=hazard_labels("equipment_kinds"),
        statuses=hazard_labels("equipment_statuses"),
        due_states=hazard_labels("due_states"),
        show_unit_filter=reads_across_units(user),
        may_create=may_manage(user.unit),
    )


def _equipment_form(item: dict | None, typed: dict, errors: dict, status: int = 200, **extra):
    page = render_template(
        "registers/equipment_item.html",
        item=item,
        typed={k: ("" if v is None else str(v)) for k, v in typed.items()},
        errors=errors,
        choices=place_choices(),
        kinds=hazard_labels("equipment_kinds"),
        statuses=hazard_labels("equipment_statuses"),
        results=hazard_labels("periodic_results"),
        editable=item is None or may_manage(item.get("unit_code")),
        place=place_names().get(item["cell_id"]) if item else None,
        names=unit_names(),
        history=get_json("hazards", f"/equipment/{item['id']}/inspections") if item else [],
        etag=extra.get("etag", ""),
        record_typed=extra.get("record_typed", {}),
        record_errors=extra.get("record_errors", {}),
    )
    return page, status


@blp.route("/equipment/new", methods=["GET", "POST"])
def new_equipment():
    if request.method == "GET":
        return _equipment_form(None, {"cell_id": request.args.get("cell_id")}, {})
    fields = EQUIPMENT_FIELDS + EQUIPMENT_DATES
    typed = {k: form_value(k) for k in fields}
    try:
        made = api("hazards", "POST", "/equipment", json_body=_body(typed, fields, (), False))
    except ServiceError as exc:
        return _equipment_form(None, typed, _errors(exc, fields, "name"), exc.status)
    item = made.json()
    flash(f"已登记特种设备：{item['name']}", "success")
    return redirect(url_for("registers.equipment_item", equipment_id=item["id"]))


@blp.route("/equipment/<equipment_id>", methods=["GET", "POST"])
def equipment_item(equipment_id: str):
    reply = api("hazards", "GET", f"/equipment/{equipment_id}")
    item, etag = reply.json(), reply.headers.get("etag", "")
    if request.method == "GET":
        return _equipment_form(item, item, {}, etag=etag)
    typed = {k: form_value(k) for k in EQUIPMENT_FIELDS}
    body = _body(typed, EQUIPMENT_FIELDS, EQUIPMENT_NULLABLE, True)
    try:
        api(
            "hazards",
            "PATCH",
            f"/equipment/{equipment_id}",
            json_body=body,
            headers=_etag_headers(),
        )
    except ServiceError as exc:
        errors = _errors(exc, EQUIPMENT_FIELDS, "name")
        return _equipment_form(item, typed, errors, exc.status, etag=etag)
    flash(f"已保存特种设备：{typed['name'] or item['name']}", "success")
    return redirect(url_for("registers.equipment_item", equipment_id=equipment_id))


@blp.route("/equipment/<equipment_id>/inspections", methods=["POST"])
def record_periodic(equipment_id: str):
    """定期检验: the service moves the dates (and takes failed equipment out of use)."""
    typed = {k: form_value(k) for k in PERIODIC_FIELDS}
    path = f"/equipment/{equipment_id}/inspections"
    try:
        api("hazards", "POST", path, json_body=_body(typed, PERIODIC_FIELDS, (), False))
    except ServiceError as exc:
        reply = api("hazards", "GET", f"/equipment/{equipment_id}")
        errors = _errors(exc, PERIODIC_FIELDS, "inspected_on")
        return _equipment_form(
            reply.json(),
            reply.json(),
            {},
            exc.status,
            etag=reply.headers.get("etag", ""),
            record_typed={k: v or "" for k, v in typed.items()},
            record_errors=errors,
        )
    flash("已记录定期检验", "success")
    return redirect(url_for("registers.equipment_item", equipment_id=equipment_id))
