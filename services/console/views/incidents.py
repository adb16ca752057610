"""安全事故/事件台账: the incidents list with its statistics (per unit and kind), the record
form, and an incident's page with its report chain, investigation, the hazards it revealed
(each opened in the hazard ledger by the service, linked to its page) and the finding of
responsibility. Every rule is the hazard service's (who records, reads, investigates,
finds; what a finding closes): the page offers the steps it lists in ``my_actions``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services.console import auth
from services.console.client import ServiceError
from services.console.format import campus_dt, campus_tz
from services.console.labels import hazard_labels
from services.console.views.common import api, form_value, pages
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import may_manage, refused
from services.console.views.registers import place_choices, place_names

blp = Blueprint("incidents", __name__, url_prefix="/incidents")
PAGE_SIZE = 30

FIELDS = (
    "occurred_at",
    "cell_id",
    "kind",
    "severity",
    "near_miss",
    "title",
    "narrative",
    "deaths",
    "injuries",
    "loss_yuan",
    "immediate_actions",
)
COUNTS = ("deaths", "injuries", "loss_yuan")
FILTERS = ("unit_code", "kind", "severity", "near_miss", "found", "occurred_from", "occurred_to")
REPORT_FIELDS = ("told", "told_at", "told_by", "channel")
HAZARD_FIELDS = ("category", "description", "severity", "cell_id", "location")
FINDING_FIELDS = ("unit_code", "text", "found_on")


def _moment(value: str | None) -> str | None:
    """A datetime-local value (campus time) as the service's aware timestamp; anything
    unreadable goes as typed, for the service to name the field."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=campus_tz())).isoformat()


def _local(value: str | None) -> str:
    """The service's timestamp as a datetime-local field's value."""
    return campus_dt(value, "%Y-%m-%dT%H:%M") if value else ""


def _count(value: str | None) -> int | str | None:
    return int(value) if value and value.isdigit() else value


def _incident_body(typed: dict, editing: bool) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name in FIELDS:
        value = typed.get(name)
        if name == "near_miss":
            body[name] = value == "true"
        elif name == "occurred_at":
            if value:
                body[name] = _moment(value)
        elif name in COUNTS:
            body[name] = _count(value) if value else 0
        elif value is not None:
            body[name] = value
        elif editing and name == "immediate_actions":
            body[name] = None
    return body


def _labels() -> dict[str, dict[str, str]]:
    return {
        "kinds": hazard_labels("incident_kinds"),
        "severities": hazard_labels("incident_severities"),
    }


# -- the list and its statistics --------------------------------------------------------------
@blp.route("")
def incidents():
    user = auth.user()
    filters = {k: request.args[k] for k in FILTERS if request.args.get(k)}
    page = max(1, request.args.get("page", 1, type=int))
    reply = api(
        "hazards", "GET", "/incidents", params={**filters, "page": page, "page_size": PAGE_SIZE}
    )
    period = {
        "unit_code": filters.get("unit_code"),
        "period_from": filters.get("occurred_from"),
        "period_to": filters.get("occurred_to"),
    }
    stats = api(
        "reporting",
        "GET",
        "/statistics/incidents",
        params={k: v for k, v in period.items() if v},
    ).json()
    return render_template(
        "incidents/list.html",
        incidents=reply.json(),
        paging=pages(reply.total, page, PAGE_SIZE),
        filters=filters,
        stats=stats,
        names=unit_names(),
        places=place_names(),
        show_unit_filter=user.is_global,
        may_create=may_manage(user.unit),
        **_labels(),
    )


# -- recording and correcting -----------------------------------------------------------------
def _form(item: dict | None, typed: dict, errors: dict, status: int = 200, etag: str = ""):
    page = render_template(
        "incidents/form.html",
        item=item,
        typed={k: ("" if v is None else str(v)) for k, v in typed.items()},
        errors=errors,
        choices=place_choices(),
        etag=etag,
        **_labels(),
    )
    return page, status


def _typed() -> dict[str, Any]:
    typed: dict[str, Any] = {k: form_value(k) for k in FIELDS}
    typed["near_miss"] = "true" if request.form.get("near_miss") else ""
    return typed


@blp.route("/new", methods=["GET", "POST"])
def new_incident():
    if request.method == "GET":
        return _form(None, {"cell_id": request.args.get("cell_id")}, {})
    typed = _typed()
    try:
        made = api("hazards", "POST", "/incidents", json_body=_incident_body(typed, False))
    except ServiceError as exc:
        return _form(None, typed, refused(exc, FIELDS, "title"), exc.status)
    item = made.json()
    flash(f"已登记：{item['title']}", "success")
    return redirect(url_for("incidents.incident", incident_id=item["id"]))


@blp.route("/<incident_id>/edit", methods=["GET", "POST"])
def edit_incident(incident_id: str):
    reply = api("hazards", "GET", f"/incidents/{incident_id}")
    item, etag = reply.json(), reply.headers.get("etag", "")
    if request.method == "GET":
        typed = {**item, "occurred_at": _local(item["occurred_at"])}
        typed["near_miss"] = "true" if item["near_miss"] else ""
        return _form(item, typed, {}, etag=etag)
    typed = _typed()
    headers = {"If-Match": request.form["etag"]} if request.form.get("etag") else {}
    path = f"/incidents/{incident_id}"
    try:
        api("hazards", "PATCH", path, json_body=_incident_body(typed, True), headers=headers)
    except ServiceError as exc:
        return _form(item, typed, refused(exc, FIELDS, "title"), exc.status, etag)
    flash("已保存", "success")
    return redirect(url_for("incidents.incident", incident_id=incident_id))


# -- one incident and its steps ---------------------------------------------------------------
def _page(incident_id: str, status: int = 200, **forms: Any):
    reply = api("hazards", "GET", f"/incidents/{incident_id}")
    item = reply.json()
    empty: dict[str, dict] = {"typed": {}, "errors": {}}
    page = render_template(
        "incidents/incident.html",
        item=item,
        etag=reply.headers.get("etag", ""),
        names=unit_names(),
        places=place_names(),
        choices=place_choices(),
        categories=hazard_labels("categories"),
        hazard_severities=hazard_labels("severities"),
        report=forms.get("report", empty),
        investigation=forms.get(
            "investigation", {"typed": {"causes": item.get("causes")}, "errors": {}}
        ),
        hazard=forms.get("hazard", empty),
        finding=forms.get("finding", {"typed": {"unit_code": item["unit_code"]}, "errors": {}}),
        **_labels(),
    )
    return page, status


@blp.route("/<incident_id>")
def incident(incident_id: str):
    return _page(incident_id)


def _step(incident_id: str, form: str, method: str, path: str, fields, body, default, done):
    """Post one step's form; on refusal the page again, the reason beside the field."""
    typed = {k: form_value(k) for k in fields}
    try:
        api("hazards", method, f"/incidents/{incident_id}{path}", json_body=body(typed))
    except ServiceError as exc:
        errors = refused(exc, fields, default)
        return _page(incident_id, exc.status, **{form: {"typed": typed, "errors": errors}})
    flash(done, "success")
    return redirect(url_for("incidents.incident", incident_id=incident_id))


def _filled(typed: dict) -> dict:
    return {k: v for k, v in typed.items() if v is not None}


@blp.route("/<incident_id>/reports", methods=["POST"])
def add_report(incident_id: str):
    def body(typed: dict) -> dict:
        return _filled({**typed, "told_at": _moment(typed["told_at"])})

    return _step(
        incident_id, "report", "POST", "/reports", REPORT_FIELDS, body, "told", "已记录报告"
    )


@blp.route("/<incident_id>/investigation", methods=["POST"])
def investigate(incident_id: str):
    return _step(
        incident_id,
        "investigation",
        "PUT",
        "/investigation",
        ("causes",),
        _filled,
        "causes",
        "已保存事故调查",
    )


@blp.route("/<incident_id>/hazards", methods=["POST"])
def open_hazard(incident_id: str):
    return _step(
        incident_id,
        "hazard",
        "POST",
        "/hazards",
        HAZARD_FIELDS,
        _filled,
        "description",
        "已在隐患台账中登记该隐患",
    )


@blp.route("/<incident_id>/finding", methods=["POST"])
def find(incident_id: str):
    return _step(
        incident_id,
        "finding",
        "POST",
        "/finding",
        FINDING_FIELDS,
        _filled,
        "text",
        "已作出责任认定，问责记录将由统计报表服务登记",
    )
