"""管理 · 单位与人员: the administration index, units (list, create, edit) and people (list
with search, create, edit, sign-in roles, password, can-sign-in). Every rule is the grid's:
a refusal comes back beside the field, in Chinese, with what was typed."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from services.console import auth
from services.console.client import ServiceError
from services.console.format import ROLE_LABELS
from services.console.labels import labels
from services.console.views.common import api, form_value, get_json, pages, problem_message
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import (
    in_chinese,
    is_office,
    may_administer,
    may_manage,
    refused,
)

blp = Blueprint("grid_people", __name__, url_prefix="/admin")
PAGE_SIZE = 30
UNIT_FIELDS = ("code", "name", "kind")
PERSON_FIELDS = ("name", "phone", "unit_code", "staff_no", "student_no", "roles")
# Sign-in roles a person may be given (a portal is a system, never a person).
PERSON_ROLES = {code: word for code, word in ROLE_LABELS.items() if code != "portal"}


def _admin_only() -> None:
    if not may_administer():
        abort(403)


@blp.route("")
def admin():
    _admin_only()
    return render_template("grid/admin.html", office=is_office(), unit=auth.user().unit)


# -- units ---------------------------------------------------------------------------------
@blp.route("/units", methods=["GET", "POST"])
def units():
    _admin_only()
    typed: dict = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        typed = {k: form_value(k) for k in UNIT_FIELDS}
        try:
            api("grid", "POST", "/units", json_body={k: v for k, v in typed.items() if v})
        except ServiceError as exc:
            errors, status = refused(exc, UNIT_FIELDS, "code"), exc.status
        else:
            flash(f"已新建单位：{typed['name']}", "success")
            return redirect(url_for("grid_people.units"))
    page = render_template(
        "grid/units.html",
        units=get_json("grid", "/units"),
        kinds=labels("grid", "unit_kinds"),
        office=is_office(),
        typed=typed,
        errors=errors,
    )
    return page, status


@blp.route("/units/<code>", methods=["GET", "POST"])
def unit(code: str):
    _admin_only()
    item = get_json("grid", f"/units/{code}")
    typed, errors, status = dict(item), {}, 200
    if request.method == "POST":
        typed = {**item, **{k: form_value(k) for k in ("name", "kind")}}
        try:
            body = {k: typed[k] for k in ("name", "kind") if typed[k]}
            api("grid", "PATCH", f"/units/{code}", json_body=body)
        except ServiceError as exc:
            errors, status = refused(exc, ("name", "kind"), "name"), exc.status
        else:
            flash(f"已保存单位：{typed['name']}", "success")
            return redirect(url_for("grid_people.units"))
    page = render_template(
        "grid/unit.html",
        unit=item,
        kinds=labels("grid", "unit_kinds"),
        office=is_office(),
        typed=typed,
        errors=errors,
    )
    return page, status


# -- people --------------------------------------------------------------------------------
@blp.route("/people")
def people():
    _admin_only()
    user = auth.user()
    unit = request.args.get("unit_code") if user.is_global else user.unit
    q = (request.args.get("q") or "").strip()
    page = max(1, request.args.get("page", 1, type=int))
    reply = api(
        "grid",
        "GET",
        "/people",
        params={"unit_code": unit, "q": q, "page": page, "page_size": PAGE_SIZE},
    )
    return render_template(
        "grid/people.html",
        people=reply.json(),
        paging=pages(reply.total, page, PAGE_SIZE),
        names=unit_names(),
        unit=unit,
        q=q,
        can_choose=user.is_global,
        may_create=may_manage(unit or user.unit),
    )


def _person_body(creating: bool) -> tuple[dict, dict]:
    """What the form typed (to show again) and the body for the grid: an emptied staff or
    student number is removed (None) when editing, left out when creating."""
    typed: dict = {k: form_value(k) for k in PERSON_FIELDS if k != "roles"}
    typed["roles"] = [r for r in request.form.getlist("roles") if r in PERSON_ROLES]
    numbers = () if creating else ("staff_no", "student_no")
    body = {k: v for k, v in typed.items() if k != "roles" and (v or k in numbers)}
    if is_office():  # sign-in roles are the security office's to give
        body["roles"] = typed["roles"]
    return typed, body


def _person_form(person: dict | None, typed: dict, errors: dict, status: int = 200):
    user = auth.user()
    names = unit_names()
    choices = names if user.is_global else {c: n for c, n in names.items() if c == user.unit}
    page = render_template(
        "grid/person.html",
        person=person,
        typed=typed,
        errors=errors,
        units=choices,
        names=names,
        roles=PERSON_ROLES,
        office=is_office(),
        editable=person is None or may_manage(person.get("unit_code")),
        history=get_json("grid", f"/people/{person['id']}/responsibilities") if person else [],
    )
    return page, status


@blp.route("/people/new", methods=["GET", "POST"])
def new_person():
    _admin_only()
    if request.method == "GET":
        return _person_form(None, {"unit_code": auth.user().unit, "roles": []}, {})
    typed, body = _person_body(creating=True)
    try:
        created = api("grid", "POST", "/people", json_body=body).json()
    except ServiceError as exc:
        return _person_form(None, typed, refused(exc, PERSON_FIELDS, "name"), exc.status)
    flash(f"已新建人员：{created['name']}", "success")
    return redirect(url_for("grid_people.person", person_id=created["id"]))


@blp.route("/people/<person_id>", methods=["GET", "POST"])
def person(person_id: str):
    _admin_only()
    item = get_json("grid", f"/people/{person_id}")
    if request.method == "GET":
        return _person_form(item, item, {})
    typed, body = _person_body(creating=False)
    try:
        api("grid", "PATCH", f"/people/{person_id}", json_body=body)
    except ServiceError as exc:
        return _person_form(item, typed, refused(exc, PERSON_FIELDS, "name"), exc.status)
    flash(f"已保存人员：{typed['name'] or item['name']}", "success")
    return redirect(url_for("grid_people.person", person_id=person_id))


@blp.route("/people/<person_id>/password", methods=["POST"])
def set_password(person_id: str):
    """Set a password (the person can sign in), or take sign-in away (``remove``)."""
    _admin_only()
    item = get_json("grid", f"/people/{person_id}")
    remove = request.form.get("remove") == "1"
    try:
        if remove:
            api("grid", "DELETE", f"/people/{person_id}/password")
        else:
            body = {"password": request.form.get("password") or ""}
            api("grid", "PUT", f"/people/{person_id}/password", json_body=body)
    except ServiceError as exc:
        if exc.status >= 500:
            raise
        flash(problem_message(in_chinese(exc)), "error")
    else:
        done = f"已取消 {item['name']} 的登录" if remove else f"已为 {item['name']} 设置密码"
        flash(done, "success")
    return redirect(url_for("grid_people.person", person_id=person_id))
