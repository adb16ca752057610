"""网格: the cell tree, a cell's current and past people, the printable roster, the gaps."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from services.console import auth
from services.console.views.common import download, get_json
from services.console.views.dashboard import unit_names

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
    user = auth.user()
    unit = None if user.is_global else user.unit
    cells = get_json("grid", "/cells", unit_code=unit) if unit else get_json("grid", "/cells")
    return render_template(
        "grid/tree.html", roots=_tree(cells), names=unit_names(), unit=unit, count=len(cells)
    )


@blp.route("/cells/<cell_id>")
def cell(cell_id: str):
    item = get_json("grid", f"/cells/{cell_id}")
    return render_template(
        "grid/cell.html",
        cell=item,
        chain=list(reversed(get_json("grid", f"/cells/{cell_id}/chain"))),
        holders=get_json("grid", f"/cells/{cell_id}/holders"),
        history=get_json("grid", f"/cells/{cell_id}/assignments"),
        names=unit_names(),
    )


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
