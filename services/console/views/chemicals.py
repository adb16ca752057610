"""危化品: the hazardous chemicals register's pages (the stores with their balances, the
catalogue, the forms to add a store and to record a movement, the period report). Every
rule is the hazard service's (who may write, a balance never below zero, 双人双锁); the
console shows its answers, with names rather than codes."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services.console import auth
from services.console.client import ServiceError
from services.console.views.common import api, download, form_value, get_json, pages
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import may_manage, refused
from services.console.views.registers import place_choices, place_names

blp = Blueprint("chemicals", __name__, url_prefix="/registers/chemicals")
PAGE_SIZE = 30
STORE_FIELDS = ("name", "cell_id", "capacity", "segregation_class", "keeper_name")
MOVEMENT_FIELDS = ("item_id", "kind", "quantity", "occurred_on", "counterparty", "licence_no")
MOVEMENT_FIELDS += ("purpose", "second_person", "manifest_no", "note")
# The choices the forms offer (the service validates them and names them in its answers).
CLASSES = {
    "flammable": "易燃品",
    "oxidizer": "氧化剂",
    "acid": "酸性腐蚀品",
    "base": "碱性腐蚀品",
    "toxic": "毒害品",
    "explosive": "爆炸品",
    "gas": "压缩及液化气体",
    "other": "其他",
}
KINDS = {
    "purchase": "采购入库",
    "receipt": "验收签收",
    "issue": "领用",
    "return": "退还",
    "disposal": "处置",
}
INTEGERS = ("capacity", "quantity")


def _filters() -> dict[str, str]:
    return {k: request.args[k] for k in ("unit_code",) if request.args.get(k)}


def _controlled(item: dict) -> str:
    flags = (("precursor", "易制毒"), ("explosive_precursor", "易制爆"), ("highly_toxic", "剧毒"))
    return "、".join(label for key, label in flags if item.get(key))


@blp.route("")
def stores():
    """The stores in the caller's scope, each with what it holds (balances from the ledger)."""
    user = auth.user()
    filters = _filters()
    page = max(1, request.args.get("page", 1, type=int))
    reply = api(
        "hazards",
        "GET",
        "/chemical-stores",
        params={**filters, "page": page, "page_size": PAGE_SIZE},
    )
    listed = reply.json()
    holdings = {
        s["id"]: get_json("hazards", f"/chemical-stores/{s['id']}/balances") for s in listed
    }
    catalogue = get_json("hazards", "/chemicals", page_size=100)
    today = date.today()
    return render_template(
        "chemicals/list.html",
        stores=listed,
        holdings=holdings,
        catalogue=[{**i, "controlled": _controlled(i)} for i in catalogue],
        paging=pages(reply.total, page, PAGE_SIZE),
        filters=filters,
        names=unit_names(),
        places=place_names(),
        period={"from": today.replace(day=1).isoformat(), "to": today.isoformat()},
        show_unit_filter=user.is_global or "lead_department" in user.roles,
        may_create=may_manage(user.unit),
    )


@blp.route("/report.xlsx")
def report():
    """The period report (per store and per controlled category) as .xlsx."""
    params = {k: request.args[k] for k in ("from", "to", "unit_code") if request.args.get(k)}
    return download("hazards", "/chemical-stores/report.xlsx", **params)


def _form(kind: str, typed: dict, errors: dict, status: int = 200, **extra):
    page = render_template(
        "chemicals/form.html",
        form=kind,
        typed={k: ("" if v is None else str(v)) for k, v in typed.items()},
        errors=errors,
        choices=place_choices(),
        classes=CLASSES,
        kinds=KINDS,
        **extra,
    )
    return page, status


def _post(kind: str, path: str, fields: tuple[str, ...], default: str, done: str, **extra):
    typed = {k: form_value(k) for k in fields}
    body = {k: v for k, v in typed.items() if v is not None}
    for key in INTEGERS:  # a number typed as digits goes as a number; anything else is named
        if isinstance(body.get(key), str) and body[key].isdigit():
            body[key] = int(body[key])
    try:
        made = api("hazards", "POST", path, json_body=body).json()
    except ServiceError as exc:
        return _form(kind, typed, refused(exc, fields, default), exc.status, **extra)
    flash(done.format(**made), "success")
    return redirect(url_for("chemicals.stores"))


@blp.route("/new", methods=["GET", "POST"])
def new_store():
    if request.method == "GET":
        return _form("store", {}, {})
    return _post("store", "/chemical-stores", STORE_FIELDS, "name", "已登记存放点：{name}")


@blp.route("/<store_id>/movements/new", methods=["GET", "POST"])
def new_movement(store_id: str):
    """出入库登记: an issue beyond the balance is refused, the reason beside 数量."""
    items = {i["id"]: f"{i['name']}（{i['cas_no']}）" for i in get_json("hazards", "/chemicals")}
    extra = {"store_id": store_id, "item_choices": items}
    if request.method == "GET":
        return _form("movement", {"occurred_on": date.today().isoformat()}, {}, **extra)
    return _post(
        "movement",
        f"/chemical-stores/{store_id}/movements",
        MOVEMENT_FIELDS,
        "quantity",
        "已登记：{kind_label} {quantity}",
        **extra,
    )
