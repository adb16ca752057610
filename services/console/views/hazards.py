"""隐患台账: the ledger with filters, a hazard's page (history, photos, the steps the
person may take next — the hazard service's ``my_actions``), the PDF forms, and the
phone report page that roster QR codes open (``/report?cell=ID``)."""

from __future__ import annotations

import re
import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from services.console import auth
from services.console.client import ServiceError
from services.console.labels import hazard_labels, label, served
from services.console.views.common import (
    api,
    download,
    errors_beside,
    flash_error,
    form_value,
    get_json,
    pages,
    passthrough,
    problem_message,
)
from services.console.views.dashboard import unit_names

blp = Blueprint("hazards", __name__)
PAGE_SIZE = 20
MAX_PAGE = 1_000_000  # the page number shown (the service bounds what it reads alike)
FILTERS = (
    "unit_code",
    "cell_id",
    "category",
    "status",
    "severity",
    "overdue",
    "found_from",
    "found_to",
    "q",
)
# Irreversible steps: their buttons ask first (data-confirm, static/console.js).
CONFIRM = {
    "report": "确认报送？",
    "close": "确认销号？销号后不能撤回。",
    "archive": "确认存档？存档后记录不再改变。",
}
# The console's words for a refusal whose own words are not Chinese (the service's detail
# is English for API clients): by status, never the English sentence itself.
REFUSALS = {
    400: "请求有误，请检查填写内容",
    403: "您无权办理此步骤",
    404: "记录不存在或已被删除",
    409: "当前环节不允许此操作（可能已被他人办理），请查看最新内容",
    412: "该隐患已被他人修改，请查看最新内容后重试",
    422: "填写有误（格式不符或缺少必填内容）",
    429: "操作过于频繁，请稍后再试",
}
# A field's reason the services word alike ("required", "required to start remediation",
# marshmallow's "Missing data for required field.").
REQUIRED = ("required", "Missing data for required field")
_CHINESE = re.compile(r"[\u4e00-\u9fff]")

# The fields each step's form sends (the hazard service says which are required).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "register": ("severity", "deadline", "comment"),
    "report": ("comment",),
    "start_remediation": (
        "responsible_person",
        "measures",
        "deadline",
        "contingency_plan",
        "quick_fix",
        "rectification_plan",
        "interim_measures",
        "comment",
    ),
    "rectify": ("evidence", "comment"),
    "accept": ("comment",),
    "reject": ("reason",),
    "close": ("comment",),
    "archive": ("comment",),
    "approve_plan": ("comment",),  # 批准整改计划 (not a stage of the loop)
}
# The API path of an action where it is not the action's name with dashes.
ACTION_PATHS = {"approve_plan": "plan-approval"}


def _filters() -> dict[str, str]:
    return {k: request.args[k] for k in FILTERS if request.args.get(k)}


@blp.route("/hazards")
def ledger():
    """The ledger page by page: 下一页 / 上一页 follow the service's cursors (the same cost
    on any page), keeping the filters; ``page`` only numbers the page for the reader (and
    reads by number for the links made before cursors)."""
    filters = _filters()
    page = min(max(1, request.args.get("page", 1, type=int)), MAX_PAGE)
    cursor = request.args.get("cursor")
    where = {"cursor": cursor} if cursor else {"page": page}
    params = {**filters, **where, "page_size": PAGE_SIZE}
    try:
        reply = api("hazards", "GET", "/hazards", params=params)
    except ServiceError as exc:
        if not cursor or exc.status != 400:
            raise
        flash("翻页位置已失效，已回到第一页", "error")
        return redirect(url_for("hazards.ledger", **filters))
    meta, user = reply.pagination, auth.user()
    paging = {
        **pages(reply.total, page, PAGE_SIZE),
        "exact": meta.get("total_exact", True),
        "next": meta.get("next_cursor"),
        "prev": meta.get("prev_cursor"),
    }
    return render_template(
        "hazards/ledger.html",
        hazards=reply.json(),
        place=_place(filters.get("cell_id")),
        filters_without_place={k: v for k, v in filters.items() if k != "cell_id"},
        paging=paging,
        filters=filters,
        names=unit_names(),
        categories=hazard_labels("categories"),
        statuses=hazard_labels("stages"),
        severities=hazard_labels("severities"),
        show_unit_filter=user.is_global,
    )


@blp.route("/hazards/export.xlsx")
def export():
    """The ledger as .xlsx at once; a ledger too large for that offers the background
    export (a page with a button: a GET never starts one)."""
    try:
        return download("hazards", "/hazards/export.xlsx", **_filters())
    except ServiceError as exc:
        if exc.status != 409 or "background_export" not in exc.problem:
            raise
        return render_template("hazards/export_large.html", detail=exc.detail, filters=_filters())


@blp.route("/hazards/exports", methods=["POST"])
def start_export():
    """Ask the hazards worker for the ledger with the ledger page's filters."""
    filters = {k: request.form[k] for k in FILTERS if request.form.get(k)}
    try:
        job = api("hazards", "POST", "/hazards/exports", json_body=filters).json()
    except ServiceError as exc:
        flash_error(exc)
        return redirect(url_for("hazards.ledger", **filters))
    return redirect(url_for("hazards.export_progress", export_id=job["id"]))


@blp.route("/hazards/exports/<export_id>")
def export_progress(export_id: str):
    """The export's progress; the page reloads itself until the file is ready."""
    job = get_json("hazards", f"/hazards/exports/{export_id}")
    return render_template("hazards/export.html", job=job)


@blp.route("/hazards/exports/<export_id>/file")
def export_file(export_id: str):
    return download("hazards", f"/hazards/exports/{export_id}/file")


def _place(cell_id: str | None) -> dict | None:
    """A place as the hazard ledger knows it (its names), or None when it knows none."""
    if not cell_id:
        return None
    try:
        return get_json("hazards", f"/cells/{cell_id}")
    except ServiceError as exc:
        if exc.status >= 500:
            raise
        return None


def _people(item: dict) -> list[str]:
    """整改责任人 to pick from: the names of who holds a role for the hazard's place today
    (the ledger's copy of the grid); asked only when remediation can start here."""
    if "start_remediation" not in (item.get("my_actions") or []) or not item.get("cell_id"):
        return []
    try:
        held = get_json("hazards", f"/cells/{item['cell_id']}/responsible")
    except ServiceError as exc:
        if exc.status >= 500:
            raise
        return []
    return list(dict.fromkeys(a["person_name"] for a in held if a.get("person_name")))


@blp.route("/hazards/<hazard_id>")
def hazard(hazard_id: str):
    return _hazard_page(hazard_id)


def _hazard_page(
    hazard_id: str,
    failed: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
):
    """The hazard's page; after a refused step (``failed``: its form's name) that form
    shows what was typed and the service's reasons beside its fields."""
    reply = api("hazards", "GET", f"/hazards/{hazard_id}")
    item = reply.json()
    if failed and errors and not _offered(item, failed):
        # The step is no longer offered (someone else took it meanwhile): said at the top.
        flash("；".join(dict.fromkeys(errors.values())), "error")
    page = render_template(
        "hazards/hazard.html",
        hazard=item,
        etag=reply.headers.get("etag", ""),
        history=get_json("hazards", f"/hazards/{hazard_id}/history"),
        photos=get_json("hazards", f"/hazards/{hazard_id}/attachments"),
        people=_people(item),
        names=unit_names(),
        severities=hazard_labels("severities"),
        confirm=CONFIRM,
        failed=failed,
        refused_typed=request.form if failed else {},
        refused_errors=errors or {},
    )
    return page, status


def _offered(item: dict, form: str) -> bool:
    """Whether the hazard's page shows ``form`` to the person (what the service says)."""
    if form == "extension":
        return bool(item.get("may_request_extension"))
    if form.startswith("decision-"):
        request_id = form.removeprefix("decision-")
        return any(
            e["id"] == request_id and e.get("may_decide") for e in item.get("extensions") or []
        )
    return form in (item.get("my_actions") or [])


def _refused(exc: ServiceError, fields: tuple[str, ...], default: str) -> dict[str, str]:
    """The refusal beside the fields it names, in Chinese (``errors_beside``); a 5xx is
    the error page's."""
    problem = dict(exc.problem)
    problem["invalid_params"] = [
        {**p, "reason": _reason(p.get("reason", ""), exc)} for p in exc.fields
    ]
    # An English detail is left out: ``problem_message`` then says the status in Chinese.
    problem["detail"] = problem["title"] = exc.detail if _CHINESE.search(exc.detail) else ""
    return errors_beside(ServiceError(exc.status, problem, exc.service), fields, default)


def _reason(reason: str, exc: ServiceError) -> str:
    return "必填" if reason.startswith(REQUIRED) else _chinese(reason, exc)


def _chinese(reason: str, exc: ServiceError) -> str:
    """``reason`` when it is Chinese, else the console's words for the refusal's status."""
    return reason if _CHINESE.search(reason or "") else REFUSALS.get(exc.status, "操作未成功")


def _action_body(action: str) -> dict:
    body: dict = {}
    for name in ACTION_FIELDS[action]:
        if name == "quick_fix":
            body[name] = request.form.get("quick_fix") != "no"
            continue
        value = form_value(name)
        if name == "responsible_person" and value is None:
            value = form_value("responsible_person_pick")  # picked from the place's people
        if value is not None:
            body[name] = value
    return body


@blp.route("/hazards/<hazard_id>/actions/<action>", methods=["POST"])
def act(hazard_id: str, action: str):
    if action not in ACTION_FIELDS:
        abort(404)
    headers = {}
    if request.form.get("etag"):
        headers["If-Match"] = request.form["etag"]
    try:
        api(
            "hazards",
            "POST",
            f"/hazards/{hazard_id}/{ACTION_PATHS.get(action, action.replace('_', '-'))}",
            json_body=_action_body(action),
            headers=headers,
        )
    except ServiceError as exc:
        fields = ACTION_FIELDS[action]
        errors = _refused(exc, fields, "comment" if "comment" in fields else fields[0])
        return _hazard_page(hazard_id, failed=action, errors=errors, status=exc.status)
    said = f"{label('hazards', 'actions', action)}：操作成功"
    if action == "rectify":  # the photos of the rectified place go with the step
        stored = _upload(hazard_id, _photos())
        said += f"，照片 {stored} 张" if stored else ""
    flash(said, "success")
    return redirect(url_for("hazards.hazard", hazard_id=hazard_id))


EXTENSION_FIELDS = ("new_deadline", "reason")


@blp.route("/hazards/<hazard_id>/extensions", methods=["POST"])
def request_extension(hazard_id: str):
    """延期申请: the service decides who may ask and whether the date lengthens."""
    body = {name: form_value(name) for name in EXTENSION_FIELDS if form_value(name)}
    try:
        api("hazards", "POST", f"/hazards/{hazard_id}/extensions", json_body=body)
    except ServiceError as exc:
        errors = _refused(exc, EXTENSION_FIELDS, "reason")
        return _hazard_page(hazard_id, failed="extension", errors=errors, status=exc.status)
    flash("延期申请已提交，等待审批", "success")
    return redirect(url_for("hazards.hazard", hazard_id=hazard_id))


@blp.route("/hazards/<hazard_id>/extensions/<request_id>/decision", methods=["POST"])
def decide_extension(hazard_id: str, request_id: str):
    """Approve or refuse an extension request (the service says who may)."""
    approve = request.form.get("approve") == "yes"
    body = {"approve": approve, "comment": form_value("comment")}
    try:
        api(
            "hazards",
            "POST",
            f"/hazards/extensions/{request_id}/decision",
            json_body={k: v for k, v in body.items() if v is not None},
        )
    except ServiceError as exc:
        errors = _refused(exc, ("comment",), "comment")
        failed = f"decision-{request_id}"
        return _hazard_page(hazard_id, failed=failed, errors=errors, status=exc.status)
    flash("已批准延期，整改期限已更新" if approve else "已驳回延期申请", "success")
    return redirect(url_for("hazards.hazard", hazard_id=hazard_id))


def _photos() -> list[tuple[str, str, str, bytes]]:
    return [
        ("file", f.filename or "photo.jpg", f.mimetype or "application/octet-stream", f.read())
        for f in request.files.getlist("photos")
        if f and f.filename
    ]


def _upload(hazard_id: str, photos: list[tuple[str, str, str, bytes]]) -> int:
    stored = 0
    for photo in photos:
        try:
            api("hazards", "POST", f"/hazards/{hazard_id}/attachments", files=[photo])
            stored += 1
        except ServiceError as exc:
            flash(f"照片 {photo[1]} 未能上传：{problem_message(exc)}", "error")
    return stored


@blp.route("/hazards/<hazard_id>/photos", methods=["POST"])
def add_photos(hazard_id: str):
    photos = _photos()
    if not photos:
        flash("请选择要上传的照片", "error")
    elif _upload(hazard_id, photos):
        flash("照片已上传", "success")
    return redirect(url_for("hazards.hazard", hazard_id=hazard_id))


@blp.route("/hazards/<hazard_id>/attachments/<attachment_id>")
def attachment(hazard_id: str, attachment_id: str):
    reply = api(
        "hazards",
        "GET",
        f"/hazards/{hazard_id}/attachments/{attachment_id}",
        headers={"Accept": "*/*"},
    )
    response = passthrough(reply)
    response.headers.pop("Content-Disposition", None)  # shown inline in the page
    return response


@blp.route("/hazards/<hazard_id>/<form>.pdf")
def pdf_form(hazard_id: str, form: str):
    if form not in ("notice", "acceptance"):
        abort(404)
    return download("hazards", f"/hazards/{hazard_id}/{form}.pdf")


# -- the phone report page (roster QR codes) -------------------------------------------------
@blp.route("/report", methods=["GET", "POST"])
def report():
    cell_id = request.values.get("cell") or None
    place = None
    if cell_id:
        try:
            place = get_json("hazards", f"/cells/{cell_id}")
        except ServiceError as exc:
            if exc.status != 404:
                raise
            flash("二维码中的地点尚未同步到隐患台账，请稍后再试或联系安全保卫处", "error")
    # A place the grid ended (停用) takes no report: offer its unit instead.
    ended = place if place and place.get("ended_on") else None
    if ended:
        place = None
    user = auth.user()
    if request.method == "POST":
        body = {
            "category": form_value("category"),
            "subcategory": form_value("subcategory"),
            "description": form_value("description"),
            "severity": form_value("severity") or "general",
            "location": form_value("location"),
        }
        if place:
            body["cell_id"] = place["cell_id"]
        else:
            body["unit_code"] = form_value("unit_code") or user.unit
        body = {k: v for k, v in body.items() if v is not None}
        key = request.form.get("report_key") or uuid.uuid4().hex
        try:
            created = api(
                "hazards", "POST", "/hazards", json_body=body, headers={"Idempotency-Key": key}
            ).json()
        except ServiceError as exc:
            errors = _refused(exc, REPORT_FIELDS, "description")
            return _report_page(place, cell_id, errors, exc.status, ended)
        else:
            stored = _upload(created["id"], _photos())
            flash(
                f"已上报隐患 {created['number']}" + (f"，照片 {stored} 张" if stored else ""),
                "success",
            )
            return redirect(url_for("hazards.hazard", hazard_id=created["id"]))
    return _report_page(place, cell_id, {}, 200, ended)


REPORT_FIELDS = ("unit_code", "category", "subcategory", "description", "location", "severity")


def _report_page(
    place: dict | None,
    cell_id: str | None,
    errors: dict[str, str],
    status: int,
    ended: dict | None = None,
):
    """The report form; after a refusal what was typed stays (the same report key: a
    retry never files the hazard twice)."""
    page = render_template(
        "hazards/report.html",
        place=place,
        cell_id=cell_id,
        ended=ended,
        categories=hazard_labels("categories"),
        subcategories=subcategories(),
        severities=hazard_labels("severities"),
        names=unit_names() if not place else {},
        report_key=request.form.get("report_key") or uuid.uuid4().hex,
        form=request.form,
        errors=errors,
    )
    return page, status


def subcategories() -> dict[str, dict[str, str]]:
    """Each category's sub-categories (the hazards service's ``/labels``): category code ->
    {sub-category code: label}."""
    grouped: dict[str, dict[str, str]] = {}
    for item in served("hazards").get("subcategories") or []:
        grouped.setdefault(item["category"], {})[item["code"]] = item["label"]
    return grouped
