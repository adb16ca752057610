"""隐患台账: the ledger with filters, a hazard's page (history, photos, the steps the
person may take next — the hazard service's ``my_actions``), the PDF forms, and the
phone report page that roster QR codes open (``/report?cell=ID``)."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from services.console import auth
from services.console.client import ServiceError
from services.console.labels import hazard_labels, label
from services.console.views.common import (
    api,
    download,
    flash_error,
    form_value,
    get_json,
    pages,
    passthrough,
    problem_message,
)
from services.console.views.dashboard import unit_names

blp = Blueprint("hazards", __name__)
PAGE_SIZE = 20
FILTERS = ("unit_code", "category", "status", "severity", "overdue", "found_from", "found_to", "q")

# The fields each step's form sends (the hazard service says which are required).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "register": ("severity", "deadline", "comment"),
    "report": ("comment",),
    "start_remediation": (
        "responsible_person",
        "measures",
        "deadline",
        "contingency_plan",
        "quick_fix",
        "rectification_plan",
        "interim_measures",
        "comment",
    ),
    "rectify": ("evidence", "comment"),
    "accept": ("comment",),
    "reject": ("reason",),
    "close": ("comment",),
    "archive": ("comment",),
    "approve_plan": ("comment",),  # 批准整改计划 (not a stage of the loop)
}
# The API path of an action where it is not the action's name with dashes.
ACTION_PATHS = {"approve_plan": "plan-approval"}


def _filters() -> dict[str, str]:
    return {k: request.args[k] for k in FILTERS if request.args.get(k)}


@blp.route("/hazards")
def ledger():
    filters = _filters()
    page = max(1, request.args.get("page", 1, type=int))
    reply = api(
        "hazards", "GET", "/hazards", params={**filters, "page": page, "page_size": PAGE_SIZE}
    )
    user = auth.user()
    return render_template(
        "hazards/ledger.html",
        hazards=reply.json(),
        paging=pages(reply.total, page, PAGE_SIZE),
        filters=filters,
        names=unit_names(),
        categories=hazard_labels("categories"),
        statuses=hazard_labels("stages"),
        severities=hazard_labels("severities"),
        show_unit_filter=user.is_global,
    )


@blp.route("/hazards/export.xlsx")
def export():
    """The ledger as .xlsx at once; a ledger too large for that offers the background
    export (a page with a button: a GET never starts one)."""
    try:
        return download("hazards", "/hazards/export.xlsx", **_filters())
    except ServiceError as exc:
        if exc.status != 409 or "background_export" not in exc.problem:
            raise
        return render_template("hazards/export_large.html", detail=exc.detail, filters=_filters())


@blp.route("/hazards/exports", methods=["POST"])
def start_export():
    """Ask the hazards worker for the ledger with the ledger page's filters."""
    filters = {k: request.form[k] for k in FILTERS if request.form.get(k)}
    try:
        job = api("hazards", "POST", "/hazards/exports", json_body=filters).json()
    except ServiceError as exc:
        flash_error(exc)
        return redirect(url_for("hazards.ledger", **filters))
    return redirect(url_for("hazards.export_progress", export_id=job["id"]))


@blp.route("/hazards/exports/<export_id>")
def export_progress(export_id: str):
    """The export's progress; the page reloads itself until the file is ready."""
    job = get_json("hazards", f"/hazards/exports/{export_id}")
    return render_template("hazards/export.html", job=job)


@blp.route("/hazards/exports/<export_id>/file")
def export_file(export_id: str):
    return download("hazards", f"/hazards/exports/{export_id}/file")


@blp.route("/hazards/<hazard_id>")
def hazard(hazard_id: str):
    reply = api("hazards", "GET", f"/hazards/{hazard_id}")
    item = reply.json()
    place = None
    if item.get("cell_id"):
        try:
            place = get_json("hazards", f"/cells/{item['cell_id']}")
        except ServiceError:
            place = None
    return render_template(
        "hazards/hazard.html",
        hazard=item,
        etag=reply.headers.get("etag", ""),
        history=get_json("hazards", f"/hazards/{hazard_id}/history"),
        photos=get_json("hazards", f"/hazards/{hazard_id}/attachments"),
        place=place,
        names=unit_names(),
        severities=hazard_labels("severities"),
    )


def _action_body(action: str) -> dict:
    body: dict = {}
    for name in ACTION_FIELDS[action]:
        if name == "quick_fix":
            body[name] = request.form.get("quick_fix") != "no"
            continue
        value = form_value(name)
        if value is not None:
            body[name] = value
    return body


@blp.route("/hazards/<hazard_id>/actions/<action>", methods=["POST"])
def act(hazard_id: str, action: str):
    if action not in ACTION_FIELDS:
        abort(404)
    headers = {}
    if request.form.get("etag"):
        headers["If-Match"] = request.form["etag"]
    try:
        api(
            "hazards",
            "POST",
            f"/hazards/{hazard_id}/{ACTION_PATHS.get(action, action.replace('_', '-'))}",
            json_body=_action_body(action),
            headers=headers,
        )
    except ServiceError as exc:
        flash_error(exc)
    else:
        flash(f"{label('hazards', 'actions', action)}：操作成功", "success")
    return redirect(url_for("hazards.hazard", hazard_id=hazard_id))


def _photos() -> list[tuple[str, str, str, bytes]]:
    return [
        ("file", f.filename or "photo.jpg", f.mimetype or "application/octet-stream", f.read())
        for f in request.files.getlist("photos")
        if f and f.filename
    ]


def _upload(hazard_id: str, photos: list[tuple[str, str, str, bytes]]) -> int:
    stored = 0
    for photo in photos:
        try:
            api("hazards", "POST", f"/hazards/{hazard_id}/attachments", files=[photo])
            stored += 1
        except ServiceError as exc:
            flash(f"照片 {photo[1]} 未能上传：{problem_message(exc)}", "error")
    return stored


@blp.route("/hazards/<hazard_id>/photos", methods=["POST"])
def add_photos(hazard_id: str):
    photos = _photos()
    if not photos:
        flash("请选择要上传的照片", "error")
    elif _upload(hazard_id, photos):
        flash("照片已上传", "success")
    return redirect(url_for("hazards.hazard", hazard_id=hazard_id))


@blp.route("/hazards/<hazard_id>/attachments/<attachment_id>")
def attachment(hazard_id: str, attachment_id: str):
    reply = api(
        "hazards",
        "GET",
        f"/hazards/{hazard_id}/attachments/{attachment_id}",
        headers={"Accept": "*/*"},
    )
    response = passthrough(reply)
    response.headers.pop("Content-Disposition", None)  # shown inline in the page
    return response


@blp.route("/hazards/<hazard_id>/<form>.pdf")
def pdf_form(hazard_id: str, form: str):
    if form not in ("notice", "acceptance"):
        abort(404)
    return download("hazards", f"/hazards/{hazard_id}/{form}.pdf")


# -- the phone report page (roster QR codes) -------------------------------------------------
@blp.route("/report", methods=["GET", "POST"])
def report():
    cell_id = request.values.get("cell") or None
    place = None
    if cell_id:
        try:
            place = get_json("hazards", f"/cells/{cell_id}")
        except ServiceError as exc:
            if exc.status != 404:
                raise
            flash("二维码中的地点尚未同步到隐患台账，请稍后再试或联系安全保卫处", "error")
    user = auth.user()
    if request.method == "POST":
        body = {
            "category": form_value("category"),
            "description": form_value("description"),
            "severity": form_value("severity") or "general",
            "location": form_value("location"),
        }
        if place:
            body["cell_id"] = place["cell_id"]
        else:
            body["unit_code"] = form_value("unit_code") or user.unit
        body = {k: v for k, v in body.items() if v is not None}
        key = request.form.get("report_key") or uuid.uuid4().hex
        try:
            created = api(
                "hazards", "POST", "/hazards", json_body=body, headers={"Idempotency-Key": key}
            ).json()
        except ServiceError as exc:
            flash_error(exc)
        else:
            stored = _upload(created["id"], _photos())
            flash(
                f"已上报隐患 {created['number']}" + (f"，照片 {stored} 张" if stored else ""),
                "success",
            )
            return redirect(url_for("hazards.hazard", hazard_id=created["id"]))
    return render_template(
        "hazards/report.html",
        place=place,
        cell_id=cell_id,
        categories=hazard_labels("categories"),
        severities=hazard_labels("severities"),
        names=unit_names() if not place else {},
        report_key=uuid.uuid4().hex,
        form=request.form,
    )
