"""网格: the cell tree, a cell's current and past people, the printable roster, the gaps;
and for those who manage it (the grid decides who may), the place tree's forms: a place
under a parent, its name, a move, people assigned to it and their assignments ended."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from services.console import auth
from services.console.client import ServiceError
from services.console.labels import labels
from services.console.views.common import api, download, form_value, get_json
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import may_manage, refused

# The fields of each form on a place's page (the service's refusal goes beside them).
CELL_FORMS: dict[str, tuple[str, ...]] = {
    "child": ("code", "name", "area_type", "location", "unit_code"),
    "edit": ("name", "area_type", "location"),
    "move": ("parent_id",),
    "assign": ("person_id", "role", "effective_from"),
    "end": ("ended_on", "reason"),
}

blp = Blueprint("grid", __name__, url_prefix="/grid")


def _tree(cells: list[dict]) -> list[dict]:
    """Nest the flat cell list: each node gets ``children``; roots are returned."""
    nodes = {c["id"]: {**c, "children": []} for c in cells}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node["parent_id"] or "")
        (parent["children"] if parent else roots).append(node)
    for node in nodes.values():
        node["children"].sort(key=lambda n: n["code"])
    return sorted(roots, key=lambda n: n["code"])


@blp.route("")
def tree():
    return _tree_page()


def _tree_page(typed=None, errors=None, status: int = 200):
    user = auth.user()
    unit = None if user.is_global else user.unit
    ended = request.args.get("ended") == "1"  # ended places (停用) only when asked
    query = {"unit_code": unit} if unit else {}
    cells = get_json("grid", "/cells", include_ended=str(ended).lower(), **query)
    page = render_template(
        "grid/tree.html",
        roots=_tree(cells),
        ended=ended,
        names=unit_names(),
        unit=unit,
        count=len(cells),
        office="security_office" in user.roles,
        typed=typed or {},
        errors=errors or {},
    )
    return page, status


@blp.route("/cells", methods=["POST"])
def add_root():
    """The grid's root (the college): the first place of an empty grid."""
    typed = {k: form_value(k) for k in ("code", "name")}
    try:
        made = api("grid", "POST", "/cells", json_body={**typed, "area_type": "campus"}).json()
    except ServiceError as exc:
        errors = refused(exc, ("code", "name"), "code")
        return _tree_page(typed, errors, exc.status)
    flash("已新建学校网格", "success")
    return redirect(url_for("grid.cell", cell_id=made["id"]))


@blp.route("/cells/<cell_id>")
def cell(cell_id: str):
    return _cell_page(cell_id)


def _cell_page(cell_id: str, form: str = "", typed=None, errors=None, status: int = 200):
    """A place's page; with ``form`` the one of its forms that was refused, as typed."""
    item = get_json("grid", f"/cells/{cell_id}")
    manage = may_manage(item.get("unit_code"))
    people, places = [], []
    if manage:
        people = get_json("grid", "/people", unit_code=item.get("unit_code"), page_size=100)
        unit = item.get("unit_code")
        places = get_json("grid", "/cells", unit_code=unit) if unit else []
    page = render_template(
        "grid/cell.html",
        cell=item,
        chain=list(reversed(get_json("grid", f"/cells/{cell_id}/chain"))),
        holders=get_json("grid", f"/cells/{cell_id}/holders"),
        history=get_json("grid", f"/cells/{cell_id}/assignments"),
        names=unit_names(),
        manage=manage,
        people=people,
        places=[p for p in places if p["id"] != cell_id and p["level"] >= 2],
        area_types=labels("grid", "area_types"),
        grid_roles=labels("grid", "roles"),
        form=form,
        typed=typed or {},
        errors=errors or {},
    )
    return page, status


def _send_form(here: str, form: str, method: str, path: str, done: str, **extra: str):
    """Send one of a place's forms; back to the place, or its page again with the
    refusal beside the fields and what was typed. An emptied location is removed."""
    typed = {k: form_value(k) for k in CELL_FORMS[form]}
    body = {k: v for k, v in typed.items() if v is not None or k == "location"} | extra
    try:
        answer = api("grid", method, path, json_body=body).json()
    except ServiceError as exc:
        errors = refused(exc, CELL_FORMS[form], CELL_FORMS[form][0])
        return _cell_page(here, form, typed, errors, exc.status)
    flash(done, "success")
    target = answer["id"] if form == "child" else here
    return redirect(url_for("grid.cell", cell_id=target))


@blp.route("/cells/<cell_id>/children", methods=["POST"])
def add_child(cell_id: str):
    return _send_form(cell_id, "child", "POST", "/cells", "已新建下级地点", parent_id=cell_id)


@blp.route("/cells/<cell_id>/edit", methods=["POST"])
def edit_cell(cell_id: str):
    return _send_form(cell_id, "edit", "PATCH", f"/cells/{cell_id}", "已保存地点信息")


@blp.route("/cells/<cell_id>/move", methods=["POST"])
def move_cell(cell_id: str):
    return _send_form(cell_id, "move", "POST", f"/cells/{cell_id}/move", "已移动地点")


@blp.route("/cells/<cell_id>/end", methods=["POST"])
def end_cell(cell_id: str):
    """停用地点: the grid ends its people's assignments that day and refuses what it must."""
    return _send_form(cell_id, "end", "POST", f"/cells/{cell_id}/end", "已停用地点")


@blp.route("/cells/<cell_id>/assign", methods=["POST"])
def assign(cell_id: str):
    return _send_form(cell_id, "assign", "POST", "/assignments", "已任命网格人员", cell_id=cell_id)


@blp.route("/cells/<cell_id>/assignments/<assignment_id>/end", methods=["POST"])
def end_assignment(cell_id: str, assignment_id: str):
    typed = {"effective_to": form_value("effective_to")}
    try:
        api("grid", "POST", f"/assignments/{assignment_id}/end", json_body=typed)
    except ServiceError as exc:
        errors = refused(exc, ("effective_to",), "effective_to")
        return _cell_page(cell_id, f"end-{assignment_id}", typed, errors, exc.status)
    flash("已免去该网格人员", "success")
    return redirect(url_for("grid.cell", cell_id=cell_id))


@blp.route("/gaps")
def gaps():
    user = auth.user()
    unit = request.args.get("unit_code") if user.is_global else user.unit
    rows = get_json("grid", "/cells/gaps", unit_code=unit)
    return render_template(
        "grid/gaps.html", gaps=rows, names=unit_names(), unit=unit, can_choose=user.is_global
    )


@blp.route("/roster")
def roster():
    user = auth.user()
    unit = request.args.get("unit_code") or user.unit
    fmt = request.args.get("format", "html")
    if fmt not in ("html", "pdf", "xlsx") or not unit:
        abort(404)
    return download("grid", "/rosters", unit_code=unit, format=fmt)
