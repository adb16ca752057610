"""心理台账 (the psych ledger): the psych centre's records, a record with its interventions,
new records and interventions; the access log (the service logs every read) for whoever
the service lets read it. Every rule is the education service's: another role's request is
answered with its refusal (the console's Chinese 403 page); a refused form comes back with
what was typed and the complaint beside the field."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services.console.client import ServiceError
from services.console.labels import labels
from services.console.views.common import api, form_value, get_json
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import refused

blp = Blueprint("psych", __name__, url_prefix="/psych")

RECORD_FIELDS = (
    "unit_code",
    "student_ref",
    "student_name",
    "class_name",
    "risk_level",
    "status",
    "next_follow_up_on",
    "screening",
)
UPDATE_FIELDS = ("risk_level", "status", "next_follow_up_on")
INTERVENTION_FIELDS = ("happened_on", "measure", "by_name", "next_follow_up_on")


def _words() -> dict:
    return {
        "risk_levels": labels("education", "risk_levels"),
        "statuses": labels("education", "psych_statuses"),
        "names": unit_names(),
    }


@blp.route("/records")
def records():
    filters = {k: request.args.get(k) or None for k in ("status", "unit_code")}
    listed = get_json("education", "/psych/records", **{k: v for k, v in filters.items() if v})
    return render_template("psych/records.html", records=listed, filters=filters, **_words())


def _record_form(typed: dict, errors: dict, status: int = 200):
    return render_template("psych/record_form.html", typed=typed, errors=errors, **_words()), status


@blp.route("/records/new", methods=["GET", "POST"])
def new_record():
    if request.method == "GET":
        return _record_form({"status": "following"}, {})
    typed = {k: form_value(k) for k in RECORD_FIELDS}
    try:
        body = {k: v for k, v in typed.items() if v is not None}
        made = api("education", "POST", "/psych/records", json_body=body).json()
    except ServiceError as exc:
        return _record_form(typed, refused(exc, RECORD_FIELDS, "student_ref"), exc.status)
    flash(f"已建立心理台账记录：{made['student_name']}", "success")
    return redirect(url_for("psych.record", record_id=made["id"]))


def _record_page(
    record_id: str, errors: dict | None = None, typed: dict | None = None, status: int = 200
):
    item = get_json("education", f"/psych/records/{record_id}")
    page = render_template(
        "psych/record.html",
        record=item,
        errors=errors or {},
        typed=typed
        or {
            "risk_level": item["risk_level"],
            "status": item["status"],
            "next_follow_up_on": item.get("next_follow_up_on"),
        },
        **_words(),
    )
    return page, status


@blp.route("/records/<record_id>")
def record(record_id: str):
    return _record_page(record_id)


@blp.route("/records/<record_id>", methods=["POST"])
def update_record(record_id: str):
    typed = {k: form_value(k) for k in UPDATE_FIELDS}
    body = {k: v for k, v in typed.items() if v is not None or k == "next_follow_up_on"}
    try:
        api("education", "PATCH", f"/psych/records/{record_id}", json_body=body)
    except ServiceError as exc:
        return _record_page(record_id, refused(exc, UPDATE_FIELDS, "risk_level"), typed, exc.status)
    flash("已保存", "success")
    return redirect(url_for("psych.record", record_id=record_id))


@blp.route("/records/<record_id>/interventions", methods=["POST"])
def add_intervention(record_id: str):
    typed = {f"i_{k}": form_value(f"i_{k}") for k in INTERVENTION_FIELDS}
    body = {k: typed[f"i_{k}"] for k in INTERVENTION_FIELDS if typed[f"i_{k}"]}
    try:
        path = f"/psych/records/{record_id}/interventions"
        api("education", "POST", path, json_body=body)
    except ServiceError as exc:
        named = [{**p, "name": f"i_{p.get('name', '')}"} for p in exc.fields]
        exc = ServiceError(exc.status, {**exc.problem, "invalid_params": named}, exc.service)
        fields = tuple(f"i_{k}" for k in INTERVENTION_FIELDS)
        return _record_page(record_id, refused(exc, fields, "i_measure"), typed, exc.status)
    flash("已记录干预/回访", "success")
    return redirect(url_for("psych.record", record_id=record_id) + "#h-interventions")


@blp.route("/access-log")
def access_log():
    record_id = request.args.get("record_id") or None
    entries = get_json(
        "education", "/psych/access-log", **({"record_id": record_id} if record_id else {})
    )
    return render_template(
        "psych/access_log.html",
        log_entries=entries,
        record_id=record_id,
        actions=labels("education", "access_actions"),
    )
