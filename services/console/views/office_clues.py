"""线索台账 (clues and hand-overs): the security office's list with filters and counts, a new
clue, a clue's page with its steps (核实, 处置/移交 with the receipt, 跟进, 办结), and the
access log. Every rule is the hazard service's: another role is answered with its refusal
(the console's Chinese 403 page); every page the service answers logs the read there. A
refused form comes back with what was typed and the complaint beside the field."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services.console.client import ServiceError
from services.console.labels import hazard_labels
from services.console.views.common import api, download, form_value, get_json
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import refused

blp = Blueprint("clues", __name__, url_prefix="/office/clues")

CLUE_FIELDS = ("kind", "unit_code", "content", "origin", "received_on")
FILTERS = ("kind", "status", "unit_code", "receiving_agency", "stale")
# Each step's form: its path below the clue, its fields, the field a refusal goes beside.
STEPS = {
    "verification": (("verification", "verified_on", "note"), "verification", "已记录核实结果"),
    "handling": (
        ("handling", "handled_on", "receiving_agency", "agency_name", "receiving_officer", "note"),
        "handling",
        "已记录处置/移交",
    ),
    "follow-ups": (("happened_on", "note"), "note", "已记录跟进情况"),
    "close": (("closed_on", "outcome"), "outcome", "线索已办结"),
}


def _words() -> dict:
    return {
        "kinds": hazard_labels("clue_kinds"),
        "statuses": hazard_labels("clue_statuses"),
        "verifications": hazard_labels("clue_verifications"),
        "handlings": hazard_labels("clue_handlings"),
        "agencies": hazard_labels("clue_agencies"),
        "names": unit_names(),
    }


@blp.route("")
def clues():
    filters = {k: request.args.get(k) or None for k in FILTERS}
    listed = get_json("hazards", "/clues", **{k: v for k, v in filters.items() if v})
    counts = get_json("hazards", "/clues/summary")
    return render_template(
        "office/clues.html", clues=listed, filters=filters, counts=counts, **_words()
    )


def _clue_form(typed: dict, errors: dict, status: int = 200):
    return render_template("office/clue_form.html", typed=typed, errors=errors, **_words()), status


@blp.route("/new", methods=["GET", "POST"])
def new_clue():
    if request.method == "GET":
        return _clue_form({}, {})
    typed = {k: form_value(k) for k in CLUE_FIELDS}
    try:
        body = {k: v for k, v in typed.items() if v is not None}
        made = api("hazards", "POST", "/clues", json_body=body).json()
    except ServiceError as exc:
        return _clue_form(typed, refused(exc, CLUE_FIELDS, "content"), exc.status)
    flash("已登记线索", "success")
    return redirect(url_for("clues.clue", clue_id=made["id"]))


def _clue_page(clue_id: str, errors: dict | None = None, typed: dict | None = None, status=200):
    item = get_json("hazards", f"/clues/{clue_id}")
    page = render_template(
        "office/clue.html", clue=item, errors=errors or {}, typed=typed or {}, **_words()
    )
    return page, status


@blp.route("/<clue_id>")
def clue(clue_id: str):
    return _clue_page(clue_id)


@blp.route("/<clue_id>/correct", methods=["POST"])
def correct(clue_id: str):
    """更正 the clue's kind, unit, content, origin or day received, against the version read."""
    typed = {k: form_value(k) for k in CLUE_FIELDS}
    body = {k: v for k, v in typed.items() if v is not None or k in ("unit_code", "origin")}
    version = form_value("version") or ""
    try:
        headers = {"If-Match": f'"{version}"'} if version.isdigit() else None
        api("hazards", "PATCH", f"/clues/{clue_id}", json_body=body, headers=headers)
    except ServiceError as exc:
        return _clue_page(clue_id, refused(exc, CLUE_FIELDS, "content"), typed, exc.status)
    flash("已更正线索", "success")
    return redirect(url_for("clues.clue", clue_id=clue_id))


@blp.route("/<clue_id>/<any(verification, handling, 'follow-ups', close):step>", methods=["POST"])
def step(clue_id: str, step: str):
    """One step of the clue, its form's fields sent as typed (the service decides)."""
    fields, default, done = STEPS[step]
    typed = {k: form_value(k) for k in fields}
    try:
        body = {k: v for k, v in typed.items() if v is not None}
        api("hazards", "POST", f"/clues/{clue_id}/{step}", json_body=body)
    except ServiceError as exc:
        return _clue_page(clue_id, refused(exc, fields, default), typed, exc.status)
    flash(done, "success")
    return redirect(url_for("clues.clue", clue_id=clue_id))


@blp.route("/<clue_id>/receipts", methods=["POST"])
def upload_receipt(clue_id: str):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _clue_page(clue_id, {"file": "请选择回执文件（照片或 PDF）"}, {}, 422)
    try:
        sent = (
            "file",
            upload.filename,
            upload.mimetype or "application/octet-stream",
            upload.read(),
        )
        api("hazards", "POST", f"/clues/{clue_id}/receipts", files=[sent])
    except ServiceError as exc:
        return _clue_page(clue_id, refused(exc, ("file",), "file"), {}, exc.status)
    flash("已上传移交回执", "success")
    return redirect(url_for("clues.clue", clue_id=clue_id))


@blp.route("/<clue_id>/receipts/<receipt_id>")
def receipt(clue_id: str, receipt_id: str):
    return download("hazards", f"/clues/{clue_id}/receipts/{receipt_id}")


@blp.route("/access-log")
def access_log():
    clue_id = request.args.get("clue_id") or None
    entries = get_json("hazards", "/clues/access-log", **({"clue_id": clue_id} if clue_id else {}))
    return render_template(
        "office/clue_access_log.html",
        log_entries=entries,
        clue_id=clue_id,
        actions=hazard_labels("clue_access_actions"),
    )
