"""背景审查 and 安全责任书 (issue 16), the grid's two ledgers in the console.

Background checks: the security office's and the personnel department's pages (the grid
refuses everyone else, and logs every read): the list by unit, kind, result or person, a
person found by name or number, a new check, a check corrected. Responsibility letters:
the year's posts in the caller's scope, unsigned first when asked, the signing form with
the signed scan (PDF, JPEG, PNG), the scan read back. Every rule is the grid's."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for

from services.console.client import ServiceError
from services.console.labels import labels
from services.console.views.common import api, download, form_value, get_json, problem_message
from services.console.views.dashboard import unit_names
from services.console.views.grid_forms import refused

blp = Blueprint("grid_ledgers", __name__, url_prefix="/grid")

CHECK_FIELDS = ("kind", "checked_on", "result", "valid_until", "note")
CHECK_FILTERS = ("unit_code", "kind", "result", "person_id")
LETTER_FIELDS = ("signed_on", "file")


def _check_words() -> dict:
    return {
        "kinds": labels("grid", "check_kinds"),
        "results": labels("grid", "check_results"),
        "names": unit_names(),
    }


# -- background checks --------------------------------------------------------------------
@blp.route("/checks")
def checks():
    filters = {k: request.args.get(k) or None for k in CHECK_FILTERS}
    listed = get_json("grid", "/checks", **{k: v for k, v in filters.items() if v})
    q = (request.args.get("q") or "").strip()
    found = get_json("grid", "/people", q=q, page_size=20) if q else []
    person = get_json("grid", f"/people/{filters['person_id']}") if filters["person_id"] else None
    return render_template(
        "grid/checks.html",
        checks=listed,
        filters=filters,
        q=q,
        found=found,
        person=person,
        **_check_words(),
    )


def _check_form(person: dict, typed: dict, errors: dict, check: dict | None, status: int = 200):
    page = render_template(
        "grid/check_form.html",
        person=person,
        typed=typed,
        errors=errors,
        check=check,
        **_check_words(),
    )
    return page, status


def _typed_check() -> dict:
    return {k: form_value(k) for k in CHECK_FIELDS}


@blp.route("/checks/new", methods=["GET", "POST"])
def new_check():
    person_id = request.values.get("person_id") or ""
    if not person_id:
        flash("请先查找并选择人员", "error")
        return redirect(url_for("grid_ledgers.checks"))
    person = get_json("grid", f"/people/{person_id}")
    if request.method == "GET":
        return _check_form(person, {"kind": "onboarding", "result": "passed"}, {}, None)
    typed = _typed_check()
    body = {k: v for k, v in typed.items() if v is not None}
    try:
        api("grid", "POST", "/checks", json_body={**body, "person_id": person_id})
    except ServiceError as exc:
        return _check_form(person, typed, refused(exc, CHECK_FIELDS, "kind"), None, exc.status)
    flash(f"已登记 {person['name']} 的背景审查", "success")
    return redirect(url_for("grid_ledgers.checks", person_id=person_id))


@blp.route("/checks/<check_id>", methods=["GET", "POST"])
def check(check_id: str):
    item = get_json("grid", f"/checks/{check_id}")
    person = {"id": item["person_id"], "name": item["person_name"], "unit_code": item["unit_code"]}
    if request.method == "GET":
        return _check_form(person, {k: item.get(k) for k in CHECK_FIELDS}, {}, item)
    typed = _typed_check()
    body = {k: v for k, v in typed.items() if v is not None or k == "note"}
    try:
        api("grid", "PATCH", f"/checks/{check_id}", json_body=body)
    except ServiceError as exc:
        return _check_form(person, typed, refused(exc, CHECK_FIELDS, "kind"), item, exc.status)
    flash("已保存", "success")
    return redirect(url_for("grid_ledgers.checks", person_id=item["person_id"]))


# -- responsibility letters ---------------------------------------------------------------
def _year() -> int:
    return request.args.get("year", date.today().year, type=int) or date.today().year


@blp.route("/letters")
def letters():
    year = _year()
    unit = request.args.get("unit_code") or None
    signed = request.args.get("signed") or None
    params = {"year": year, **({"unit_code": unit} if unit else {})}
    if signed in ("true", "false"):
        params["signed"] = signed
    posts = get_json("grid", "/letters", **params)
    return render_template(
        "grid/letters.html",
        posts=posts,
        year=year,
        unit=unit,
        signed=signed,
        names=unit_names(),
        years=range(date.today().year + 1, date.today().year - 5, -1),
    )


def _upload() -> tuple[str, str, str, bytes] | None:
    file = request.files.get("file")
    if file is None or not file.filename:
        return None
    return ("file", file.filename, file.mimetype or "application/octet-stream", file.read())


def _sign_form(post: dict, year: int, typed: dict, errors: dict, status: int = 200):
    page = render_template(
        "grid/letter_form.html", post=post, year=year, typed=typed, errors=errors
    )
    return page, status


@blp.route("/letters/sign", methods=["GET", "POST"])
def sign_letter():
    """One form: the signing date and the signed scan; the letter is recorded, then its
    scan uploaded (a refused scan leaves the letter recorded and says so)."""
    year = request.values.get("year", type=int) or date.today().year
    assignment_id = request.values.get("assignment_id") or ""
    posts = get_json("grid", "/letters", year=year)
    post = next((p for p in posts if p["assignment_id"] == assignment_id), None)
    if post is None:
        flash("没有找到该岗位，或它不在您的范围内", "error")
        return redirect(url_for("grid_ledgers.letters", year=year))
    if request.method == "GET":
        return _sign_form(post, year, {"signed_on": date.today().isoformat()}, {})
    typed = {"signed_on": form_value("signed_on")}
    upload = _upload()
    if upload is None:
        return _sign_form(post, year, typed, {"file": "请选择签字盖章后的扫描件"}, 422)
    body = {"assignment_id": assignment_id, "year": year, "signed_on": typed["signed_on"]}
    try:
        letter = api("grid", "POST", "/letters", json_body=body).json()
    except ServiceError as exc:
        errors = refused(exc, LETTER_FIELDS, "signed_on")
        errors.setdefault("file", "未保存，请重新选择文件")
        return _sign_form(post, year, typed, errors, exc.status)
    try:
        api("grid", "POST", f"/letters/{letter['id']}/scan", files=[upload])
    except ServiceError as exc:
        if exc.status >= 500:
            raise
        flash(f"已登记签订，扫描件 {upload[1]} 未能上传：{problem_message(exc)}", "error")
        return redirect(url_for("grid_ledgers.letters", year=year, unit_code=post["unit_code"]))
    flash(f"已登记 {post['person_name']} 的 {year} 年度安全责任书", "success")
    return redirect(url_for("grid_ledgers.letters", year=year, unit_code=post["unit_code"]))


@blp.route("/letters/<letter_id>/scan", methods=["POST"])
def upload_scan(letter_id: str):
    """A scan for a letter recorded without one (or a better one)."""
    year = request.form.get("year", type=int) or date.today().year
    upload = _upload()
    if upload is None:
        flash("请选择签字盖章后的扫描件", "error")
    else:
        try:
            api("grid", "POST", f"/letters/{letter_id}/scan", files=[upload])
            flash("扫描件已上传", "success")
        except ServiceError as exc:
            if exc.status >= 500:
                raise
            flash(f"扫描件未能上传：{problem_message(exc)}", "error")
    return redirect(url_for("grid_ledgers.letters", year=year))


@blp.route("/letters/<letter_id>/scan")
def scan(letter_id: str):
    return download("grid", f"/letters/{letter_id}/scan")
