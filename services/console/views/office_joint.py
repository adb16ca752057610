"""协同联动 (joint inspections with outside agencies): the security office's list with filters,
a new record (agencies and members one per line, the places visited picked by name), a
record's page with its findings, each linked to the hazard it opened, and the form that
records one. Every rule is the hazard service's; a refused form keeps what was typed."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services.console.client import ServiceError
from services.console.labels import hazard_labels
from services.console.views.common import api, form_value, get_json, pages
from services.console.views.grid_forms import refused
from services.console.views.registers import place_choices, place_names

blp = Blueprint("joint", __name__, url_prefix="/office/joint-inspections")
PAGE_SIZE = 30
RECORD_FIELDS = ("inspected_on", "agencies", "members", "cell_ids", "note")
FINDING_FIELDS = ("cell_id", "category", "severity", "description")
_SPLIT = re.compile(r"[\n\r、,，;；]+")


def lines(name: str) -> list[str]:
    """A list typed one per line (or separated by 、 and commas)."""
    return [part.strip() for part in _SPLIT.split(request.form.get(name) or "") if part.strip()]


def whole_fields(exc: ServiceError) -> ServiceError:
    """A refusal naming a list's item (``cell_ids.1``) named by the list, for the form."""
    named = [{**p, "name": p.get("name", "").split(".")[0]} for p in exc.fields]
    return ServiceError(exc.status, {**exc.problem, "invalid_params": named}, exc.service)


@blp.route("")
def inspections():
    filters = {k: request.args.get(k) or None for k in ("date_from", "date_to", "with_agency")}
    page = max(request.args.get("page", 1, type=int), 1)
    params = {k: v for k, v in filters.items() if v}
    reply = api(
        "hazards",
        "GET",
        "/joint-inspections",
        params={**params, "page": page, "page_size": PAGE_SIZE},
    )
    return render_template(
        "office/joint_inspections.html",
        records=reply.json(),
        filters=filters,
        places=place_names(),
        paging=pages(reply.total, page, PAGE_SIZE),
    )


def _record_form(typed: dict, errors: dict, status: int = 200):
    page = render_template(
        "office/joint_form.html", typed=typed, errors=errors, choices=place_choices()
    )
    return page, status


@blp.route("/new", methods=["GET", "POST"])
def new_inspection():
    if request.method == "GET":
        return _record_form({"cell_ids": []}, {})
    body = {
        "inspected_on": form_value("inspected_on"),
        "agencies": lines("agencies"),
        "members": lines("members"),
        "cell_ids": request.form.getlist("cell_ids"),
        "note": form_value("note"),
    }
    typed = {
        **body,
        "agencies": request.form.get("agencies"),
        "members": request.form.get("members"),
    }
    try:
        sent = {k: v for k, v in body.items() if v not in (None, "")}
        made = api("hazards", "POST", "/joint-inspections", json_body=sent).json()
    except ServiceError as exc:
        return _record_form(typed, refused(whole_fields(exc), RECORD_FIELDS, "note"), exc.status)
    flash("已登记协同联动检查", "success")
    return redirect(url_for("joint.inspection", joint_id=made["id"]))


def _record_page(joint_id: str, errors: dict | None = None, typed: dict | None = None, status=200):
    record = get_json("hazards", f"/joint-inspections/{joint_id}")
    page = render_template(
        "office/joint_inspection.html",
        record=record,
        visited={p["cell_id"]: p["name"] for p in record["places"]},
        errors=errors or {},
        typed=typed or {"severity": "general"},
        categories=hazard_labels("categories"),
        severities=hazard_labels("severities"),
    )
    return page, status


@blp.route("/of-hazard/<hazard_id>")
def of_hazard(hazard_id: str):
    """The joint inspection whose finding opened the hazard (the hazard page's backlink)."""
    found = get_json("hazards", "/joint-inspections", hazard_id=hazard_id)
    if not found:
        flash("未找到发现该隐患的联合检查", "error")
        return redirect(url_for("hazards.hazard", hazard_id=hazard_id))
    return redirect(url_for("joint.inspection", joint_id=found[0]["id"]))


@blp.route("/<joint_id>")
def inspection(joint_id: str):
    return _record_page(joint_id)


@blp.route("/<joint_id>/findings", methods=["POST"])
def add_finding(joint_id: str):
    typed = {k: form_value(k) for k in FINDING_FIELDS}
    try:
        body = {k: v for k, v in typed.items() if v is not None}
        found = api("hazards", "POST", f"/joint-inspections/{joint_id}/findings", json_body=body)
    except ServiceError as exc:
        errors = refused(exc, FINDING_FIELDS, "description")
        return _record_page(joint_id, errors, typed, exc.status)
    flash(f"已记录发现的问题，隐患 {found.json()['hazard_number']} 已进入隐患台账", "success")
    return redirect(url_for("joint.inspection", joint_id=joint_id) + "#findings")
