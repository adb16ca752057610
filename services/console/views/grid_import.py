"""管理 · 名单导入与检查表: a unit's roster imported from .xlsx/.csv (checked first: the row
errors in a table and nothing applied; then applied, all rows or none — the grid's rule),
and the hazard service's inspection checklists (list, create, retire)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from services.console import auth
from services.console.client import ServiceError
from services.console.labels import hazard_labels
from services.console.views.common import api, form_value, get_json, problem_message
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import chinese, in_chinese, may_administer, refused

blp = Blueprint("grid_import", __name__, url_prefix="/admin")
CHECKLIST_FIELDS = ("code", "category", "name", "items")
CHECKLIST_AUTHORS = ("security_office", "lead_department")


def _row_errors(exc: ServiceError) -> list[dict]:
    """The grid's row errors (row, column, reason), each reason in Chinese."""
    rows = exc.problem.get("row_errors") or []
    return [
        {**r, "reason": chinese(str(r.get("reason", "")), exc.status)}
        for r in rows
        if isinstance(r, dict)
    ]


def _upload() -> tuple[str, str, str, bytes] | None:
    file = request.files.get("file")
    if not file or not file.filename:
        return None
    return ("file", file.filename, file.mimetype or "application/octet-stream", file.read())


@blp.route("/import", methods=["GET", "POST"])
def roster_import():
    if not may_administer():
        abort(403)
    user = auth.user()
    names = unit_names()
    units = names if user.is_global else {c: n for c, n in names.items() if c == user.unit}
    unit = form_value("unit_code") or user.unit
    result, row_errors, errors, status = None, [], {}, 200
    check = request.form.get("mode") != "apply"
    if request.method == "POST":
        upload = _upload()
        if upload is None:
            errors, status = {"file": "请选择要导入的 .xlsx 或 .csv 文件"}, 422
        else:
            try:
                result = api(
                    "grid",
                    "POST",
                    f"/units/{unit}/roster-import",
                    params={"dry_run": "true" if check else "false"},
                    files=[upload],
                ).json()
            except ServiceError as exc:
                row_errors = _row_errors(exc)
                errors = {} if row_errors else refused(exc, ("file",), "file")
                status = exc.status
    return render_template(
        "grid/import.html",
        units=units,
        unit=unit,
        result=result,
        checked=check,
        row_errors=row_errors,
        errors=errors,
    ), status


# -- inspection checklists (the hazard service's) -------------------------------------------
def _items(text: str | None) -> list[dict[str, str]]:
    """One item a line, numbered in order."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return [{"code": str(n), "text": line} for n, line in enumerate(lines, start=1)]


@blp.route("/checklists", methods=["GET", "POST"])
def checklists():
    roles = set(auth.user().roles)
    if not (may_administer() or roles & set(CHECKLIST_AUTHORS)):
        abort(403)
    typed: dict = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        typed = {k: form_value(k) for k in CHECKLIST_FIELDS}
        body = {k: v for k, v in typed.items() if v and k != "items"}
        body["items"] = _items(typed["items"])
        try:
            api("hazards", "POST", "/checklists", json_body=body)
        except ServiceError as exc:
            errors, status = refused(exc, CHECKLIST_FIELDS, "code"), exc.status
        else:
            flash(f"已新建检查表：{typed['name']}", "success")
            return redirect(url_for("grid_import.checklists"))
    page = render_template(
        "grid/checklists.html",
        checklists=get_json("hazards", "/checklists"),
        categories=hazard_labels("categories"),
        author=bool(roles & set(CHECKLIST_AUTHORS)),
        typed=typed,
        errors=errors,
    )
    return page, status


@blp.route("/checklists/<template_id>/retire", methods=["POST"])
def retire_checklist(template_id: str):
    headers = {"If-Match": request.form.get("etag") or "*"}
    try:
        api(
            "hazards",
            "PATCH",
            f"/checklists/{template_id}",
            json_body={"active": False},
            headers=headers,
        )
    except ServiceError as exc:
        if exc.status >= 500:
            raise
        flash(problem_message(in_chinese(exc)), "error")
    else:
        flash("检查表已停用", "success")
    return redirect(url_for("grid_import.checklists"))
