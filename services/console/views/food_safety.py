"""食品安全: the food-safety register's pages (the outlets as a due list with filters and phone
cards, the form to register an outlet, an outlet's page with its certificates and daily
records and the forms to add them, the .xlsx). Every rule is the hazard service's (who may
write, what a record needs, when a certificate has expired); the console shows its answers."""

from __future__ import annotations

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
from services.console.views.registers import place_choices, place_names, reads_across_units

blp = Blueprint("food_safety", __name__, url_prefix="/registers/food-safety")
PAGE_SIZE = 30
OUTLET_FIELDS = ("name", "kind", "cell_id", "location", "operator", "manager_name")
CERT_FIELDS = ("kind", "holder_name", "number", "issued_on", "expires_on")
RECORD_FIELDS = ("day", "kind", "person_name", "item", "result", "batch_no", "origin")
RECORD_FIELDS += ("certificate_no", "note")
# The choices the forms offer (the service validates them and names them in its answers).
KINDS = {"canteen": "食堂", "supermarket": "超市", "tea_shop": "茶饮店"}
KINDS |= {"distribution_center": "配送中心"}
CERT_KINDS = {"licence": "食品经营许可证", "health": "健康证明"}
RECORD_KINDS = {"accompany": "陪餐", "sample": "留样", "pesticide": "农残检测"}
RECORD_KINDS |= {"cold_chain": "冷链溯源"}
RESULTS = {"pass": "合格", "fail": "不合格"}
DUE = {"expired": "证照已过期", "due_soon": "证照即将到期"}


def _filters() -> dict[str, str]:
    return chosen_filters(("unit_code", "kind", "due"))


@blp.route("")
def outlets():
    """The outlets; due=expired|due_soon is the due list of their certificates."""
    user = auth.user()
    filters = _filters()
    reply, paging = list_page("hazards", "/food-outlets", filters, PAGE_SIZE)
    return render_template(
        "food_safety/list.html",
        outlets=reply.json(),
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
    return download("hazards", "/food-outlets/export.xlsx", **_filters())


def _body(typed: dict) -> dict:
    return {k: v for k, v in typed.items() if v is not None}


@blp.route("/new", methods=["GET", "POST"])
def new_outlet():
    typed = {k: form_value(k) for k in OUTLET_FIELDS} if request.method == "POST" else {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            made = api("hazards", "POST", "/food-outlets", json_body=_body(typed)).json()
        except ServiceError as exc:
            errors, status = refused(exc, OUTLET_FIELDS, "name"), exc.status
        else:
            flash(f"已登记食品经营场所：{made['name']}", "success")
            return redirect(url_for("food_safety.outlet_item", outlet_id=made["id"]))
    page = render_template(
        "food_safety/form.html",
        typed={k: ("" if v is None else str(v)) for k, v in typed.items()},
        errors=errors,
        choices=place_choices(),
        kinds=KINDS,
    )
    return page, status


def _item_page(outlet_id: str, form: str = "", typed: dict | None = None, errors=None):
    outlet = get_json("hazards", f"/food-outlets/{outlet_id}")
    return render_template(
        "food_safety/item.html",
        outlet=outlet,
        certificates=get_json("hazards", f"/food-outlets/{outlet_id}/certificates"),
        records=get_json("hazards", f"/food-outlets/{outlet_id}/records"),
        form=form,
        typed={k: ("" if v is None else str(v)) for k, v in (typed or {}).items()},
        errors=errors or {},
        cert_kinds=CERT_KINDS,
        record_kinds=RECORD_KINDS,
        results=RESULTS,
        names=unit_names(),
        places=place_names(),
        may_write=may_manage(outlet["unit_code"]),
    )


@blp.route("/<outlet_id>")
def outlet_item(outlet_id: str):
    return _item_page(outlet_id)


def _add(outlet_id: str, form: str, path: str, fields: tuple[str, ...], done: str):
    typed = {k: form_value(k) for k in fields}
    try:
        api("hazards", "POST", f"/food-outlets/{outlet_id}/{path}", json_body=_body(typed))
    except ServiceError as exc:
        errors = refused(exc, fields, fields[0])
        return _item_page(outlet_id, form, typed, errors), exc.status
    flash(done, "success")
    return redirect(url_for("food_safety.outlet_item", outlet_id=outlet_id))


@blp.route("/<outlet_id>/certificates", methods=["POST"])
def add_certificate(outlet_id: str):
    return _add(outlet_id, "certificate", "certificates", CERT_FIELDS, "已登记证照")


@blp.route("/<outlet_id>/records", methods=["POST"])
def add_record(outlet_id: str):
    return _add(outlet_id, "record", "records", RECORD_FIELDS, "已登记每日记录")
