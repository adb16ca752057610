"""通勤车、公务车: the vehicles and drivers register's pages (list with its due list, the
forms to register a vehicle or a driver, 出车登记 and the .xlsx). Every rule is the hazard
service's (who may write, when a date has lapsed, which trip is refused); the console shows
its answers, with names rather than codes."""

from __future__ import annotations

from functools import partial

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
)
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import may_manage, refused
from services.console.views.register_edit import edit_versioned
from services.console.views.registers import place_choices, place_names, reads_across_units

blp = Blueprint("vehicles", __name__, url_prefix="/registers/vehicles")
PAGE_SIZE = 30
VEHICLE_FIELDS = ("plate_no", "kind", "model", "seats", "cell_id", "inspection_due")
VEHICLE_FIELDS += ("insurance_due",)
DRIVER_FIELDS = ("name", "staff_no", "phone", "cell_id", "licence_class", "licence_expiry")
DRIVER_FIELDS += ("last_education_on",)
TRIP_FIELDS = ("vehicle_id", "driver_id", "trip_on", "purpose")
# The choices the forms offer (the service validates them and names them in its answers).
KINDS = {"commuter": "通勤车", "official": "公务车"}
CLASSES = {c: c for c in ("A1", "A2", "A3", "B1", "B2", "C1", "C2")}
DUE = {"lapsed": "已过期", "due_soon": "即将到期"}


def _filters(keys: tuple[str, ...]) -> dict[str, str]:
    return chosen_filters(keys)


@blp.route("")
def vehicles():
    """The register as the due list: the soonest lapse first, lapsed ones tagged."""
    user = auth.user()
    filters = _filters(("unit_code", "kind", "due"))
    reply, paging = list_page("hazards", "/vehicles", filters, PAGE_SIZE, sort="due")
    people = {k: v for k, v in filters.items() if k in ("unit_code", "due")}
    return render_template(
        "vehicles/list.html",
        vehicles=reply.json(),
        drivers=get_json("hazards", "/drivers", sort="due", page_size=100, **people),
        paging=paging,
        filters=filters,
        names=unit_names(),
        places=place_names(),
        kinds=KINDS,
        due_states=DUE,
        show_unit_filter=reads_across_units(user),
        may_create=may_manage(user.unit),
    )


@blp.route("/export.xlsx")
def export():
    return download("hazards", "/vehicles/export.xlsx", **_filters(("unit_code", "kind", "due")))


def _form(kind: str, typed: dict, errors: dict, status: int = 200, **extra):
    page = render_template(
        "vehicles/form.html",
        form=kind,
        typed={k: ("" if v is None else str(v)) for k, v in typed.items()},
        errors=errors,
        choices=place_choices(),
        kinds=KINDS,
        classes=CLASSES,
        **extra,
    )
    return page, status


def _body(typed: dict) -> dict:
    body = {k: v for k, v in typed.items() if v is not None}
    if body.get("seats"):
        body["seats"] = int(body["seats"]) if body["seats"].isdigit() else body["seats"]
    return body


def _post(kind: str, path: str, fields: tuple[str, ...], default: str, done: str, **extra):
    typed = {k: form_value(k) for k in fields}
    try:
        made = api("hazards", "POST", path, json_body=_body(typed)).json()
    except ServiceError as exc:
        return _form(kind, typed, refused(exc, fields, default), exc.status, **extra)
    flash(done.format(**made), "success")
    return redirect(url_for("vehicles.vehicles"))


@blp.route("/new", methods=["GET", "POST"])
def new_vehicle():
    if request.method == "GET":
        return _form("vehicle", {}, {})
    return _post("vehicle", "/vehicles", VEHICLE_FIELDS, "plate_no", "已登记车辆：{plate_no}")


@blp.route("/drivers/new", methods=["GET", "POST"])
def new_driver():
    if request.method == "GET":
        return _form("driver", {}, {})
    return _post("driver", "/drivers", DRIVER_FIELDS, "name", "已登记驾驶人：{name}")


def _parties() -> dict:
    """The vehicles and drivers offered for a trip (the service refuses lapsed ones)."""
    return {
        "vehicle_choices": {v["id"]: v["plate_no"] for v in get_json("hazards", "/vehicles")},
        "driver_choices": {d["id"]: d["name"] for d in get_json("hazards", "/drivers")},
    }


@blp.route("/trips/new", methods=["GET", "POST"])
def new_trip():
    """出车登记: a lapsed vehicle or driver is refused, the reason beside the field."""
    if request.method == "GET":
        return _form("trip", {}, {}, **_parties())
    return _post("trip", "/trips", TRIP_FIELDS, "vehicle_id", "已登记出车：{trip_on}", **_parties())


def _edit(kind: str, path: str, fields: tuple[str, ...], default: str, done: str):
    """Edit a vehicle or a driver (a renewal of 年检, 保险, the licence or the safety education
    is a new date), with the version read as If-Match."""
    return edit_versioned(
        path,
        fields=fields,
        default=default,
        done=done,
        form=partial(_form, kind),
        typed=lambda names: {k: form_value(k) for k in names},
        body=_body,
        back="vehicles.vehicles",
    )


@blp.route("/<vehicle_id>", methods=["GET", "POST"])
def vehicle_item(vehicle_id: str):
    path = f"/vehicles/{vehicle_id}"
    return _edit("vehicle", path, VEHICLE_FIELDS, "plate_no", "已保存车辆：{plate_no}")


@blp.route("/drivers/<driver_id>", methods=["GET", "POST"])
def driver_item(driver_id: str):
    path = f"/drivers/{driver_id}"
    return _edit("driver", path, DRIVER_FIELDS, "name", "已保存驾驶人：{name}")
