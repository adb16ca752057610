"""危化品: the hazardous chemicals register's pages (the stores with their balances, the
catalogue, the forms to add or edit a store or a catalogue entry and to record a movement,
the period report). Every
rule is the hazard service's (who may write, a balance never below zero, 双人双锁); the
console shows its answers, with names rather than codes."""

from __future__ import annotations

from datetime import date
from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services.console import auth
from services.console.client import ServiceError
from services.console.views.common import api, download, form_value, get_json, pages
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import may_manage, refused
from services.console.views.register_edit import edit_versioned
from services.console.views.registers import place_choices, place_names, reads_across_units

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
CATEGORY = "lab_chemicals"  # the hazards the register opens (账实不符、双人双锁、禁忌同存)
DUE_SIZE = 50
INTEGERS = ("capacity", "quantity", "counted")
ITEM_FIELDS = ("name", "cas_no", "hazard_class", "measure")
COUNT_FIELDS = ("item_id", "counted", "counted_on", "counted_by")
FLAGS = {"precursor": "易制毒", "explosive_precursor": "易制爆", "highly_toxic": "剧毒"}


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
    # The due list: what the register found wrong and is not yet struck off, in the
    # caller's scope (the ledger filters it), newest first.
    found = get_json(
        "hazards", "/hazards", category=CATEGORY, open="true", page_size=DUE_SIZE, **filters
    )
    today = date.today()
    return render_template(
        "chemicals/list.html",
        stores=listed,
        holdings=holdings,
        catalogue=[{**i, "controlled": _controlled(i)} for i in catalogue],
        due=found,
        paging=pages(reply.total, page, PAGE_SIZE),
        filters=filters,
        names=unit_names(),
        places=place_names(),
        period={"from": today.replace(day=1).isoformat(), "to": today.isoformat()},
        show_unit_filter=reads_across_units(user),
        may_create=may_manage(user.unit),
        may_keep_catalogue=_may_keep_catalogue(),
    )


def _may_keep_catalogue() -> bool:
    """Whether to offer the catalogue's buttons: the service's answer for this caller
    (the office or 危化品's lead department, 教务处; not any lead department)."""
    return bool(get_json("hazards", "/chemicals/keeper").get("may_keep_catalogue"))


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
        flags=FLAGS,
        **extra,
    )
    return page, status


def _body(typed: dict) -> dict:
    body = {k: v for k, v in typed.items() if v is not None}
    for key in INTEGERS:  # a number typed as digits goes as a number; anything else is named
        if isinstance(body.get(key), str) and body[key].isdigit():
            body[key] = int(body[key])
    for key in FLAGS.keys() & body.keys():  # a checkbox: present (true) or absent (false)
        body[key] = body[key] == "true"
    return body


def _typed(fields: tuple[str, ...]) -> dict:
    typed = {k: form_value(k) for k in fields}
    if "cas_no" in fields:
        typed.update({key: "true" if form_value(key) else "false" for key in FLAGS})
    return typed


def _post(kind: str, path: str, fields: tuple[str, ...], default: str, done: str, **extra):
    typed = _typed(fields)
    try:
        made = api("hazards", "POST", path, json_body=_body(typed)).json()
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


@blp.route("/<store_id>/counts/new", methods=["GET", "POST"])
def new_count(store_id: str):
    """盘点: the quantity found in the store for one item; a count that differs from the
    ledger's balance is recorded and opens a hazard (账实不符), which the page then says."""
    held = get_json("hazards", f"/chemical-stores/{store_id}/balances")
    items = {b["item_id"]: f"{b['name']}（账面 {b['balance']}{b['measure']}）" for b in held}
    extra = {"store_id": store_id, "item_choices": items}
    if request.method == "GET":
        return _form("count", {"counted_on": date.today().isoformat()}, {}, **extra)
    typed = _typed(COUNT_FIELDS)
    try:
        made = api("hazards", "POST", f"/chemical-stores/{store_id}/counts", json_body=_body(typed))
    except ServiceError as exc:
        return _form("count", typed, refused(exc, COUNT_FIELDS, "counted"), exc.status, **extra)
    count = made.json()
    if count["counted"] == count["balance"]:
        flash(f"已登记盘点：实存 {count['counted']}，与账面结余相符", "success")
    else:
        flash(
            f"已登记盘点：实存 {count['counted']}，账面结余 {count['balance']}，账实不符，"
            "已立为隐患（见下方“待处理”）",
            "error",
        )
    return redirect(url_for("chemicals.stores"))


@blp.route("/items/new", methods=["GET", "POST"])
def new_item():
    """A catalogue entry (the office or 教务处); a taken or malformed CAS 号 is named beside it."""
    if request.method == "GET":
        return _form("item", {}, {})
    return _post("item", "/chemicals", ITEM_FIELDS, "name", "已加入危化品目录：{name}")


def _edit(kind: str, path: str, fields: tuple[str, ...], default: str, done: str):
    """Edit a store or a catalogue entry with the version read as If-Match."""
    return edit_versioned(
        path,
        fields=fields,
        default=default,
        done=done,
        form=partial(_form, kind),
        typed=_typed,
        body=_body,
        back="chemicals.stores",
        shown=lambda record: _shown(record, fields),
    )


def _shown(record: dict, fields: tuple[str, ...]) -> dict:
    """The record as the form shows it: its checkboxes as the form's "true" / "false"."""
    shown = {k: record.get(k) for k in fields}
    shown.update({k: "true" if record.get(k) else "false" for k in FLAGS if k in record})
    return shown


@blp.route("/items/<item_id>", methods=["GET", "POST"])
def item_page(item_id: str):
    path = f"/chemicals/{item_id}"
    return _edit("item", path, ITEM_FIELDS, "name", "已保存危化品：{name}")


@blp.route("/<store_id>", methods=["GET", "POST"])
def store_page(store_id: str):
    path = f"/chemical-stores/{store_id}"
    return _edit("store", path, STORE_FIELDS, "name", "已保存存放点：{name}")
