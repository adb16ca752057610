"""统计报表与问责: statistics with the .xlsx downloads, the submission board per due date
with a unit's submit button, the flags with their decisions, the year-end view."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from services.console import auth
from services.console.charts import bar_chart
from services.console.client import ServiceError
from services.console.format import decision_choices, evidence_items
from services.console.labels import hazard_labels, reporting_labels
from services.console.views.common import (
    api,
    download,
    errors_beside,
    flash_error,
    get_json,
    pages,
    problem_message,
)
from services.console.views.dashboard import (
    current_campaign,
    due_of_interest,
    rate_bars,
    unit_names,
)

blp = Blueprint("reporting", __name__, url_prefix="/reporting")
DIMENSIONS = {"unit": "按单位", "category": "按类别", "severity": "按等级"}
DIMENSION_LABELS = {"category": "categories", "severity": "severities"}  # hazards' /labels
STAT_FILTERS = ("group_by", "period_from", "period_to", "campaign_id", "category", "severity")


def _stat_query() -> dict[str, str]:
    query = {k: request.args[k] for k in STAT_FILTERS if request.args.get(k)}
    if query.get("group_by") not in DIMENSIONS:
        query["group_by"] = "unit"
    return query


@blp.route("/statistics")
def statistics():
    query = _stat_query()
    stats = get_json("reporting", "/statistics", **query)
    names = unit_names(current_campaign())
    dimension = query["group_by"]
    labels = names if dimension == "unit" else hazard_labels(DIMENSION_LABELS[dimension])
    chart = bar_chart(
        "chart-statistics",
        f"隐患整改率（{DIMENSIONS[query['group_by']]}）",
        rate_bars(stats["rows"], labels),
    )
    return render_template(
        "reporting/statistics.html",
        stats=stats,
        query=query,
        labels=labels,
        names=names,
        dimensions=DIMENSIONS,
        chart=chart,
        campaigns=get_json("reporting", "/campaigns"),
    )


@blp.route("/statistics.xlsx")
def statistics_xlsx():
    return download("reporting", "/statistics/export.xlsx", **_stat_query())


# -- 周整改、月汇总 and the tables per period (the security office's weekly routine) ---------
def _list_query(*names: str) -> dict[str, str]:
    return {k: request.args[k] for k in (*names, "unit_code", "category") if request.args.get(k)}


@blp.route("/weekly")
def weekly():
    query = _list_query("week")
    # The whole campus's list runs to thousands of rows: its page shows each unit's counts,
    # each unit's list one link away (and every row in the .xlsx).
    summary = auth.user().is_global and "unit_code" not in query
    report = get_json(
        "reporting", "/statistics/weekly", **query, **({"summary": True} if summary else {})
    )
    return render_template(
        "reporting/weekly.html",
        report=report,
        summary=summary,
        query={**query, "week": report["week"]},
        stages=hazard_labels("stages"),
        severities=hazard_labels("severities"),
    )


@blp.route("/weekly.xlsx")
def weekly_xlsx():
    return download("reporting", "/statistics/weekly.xlsx", **_list_query("week"))


@blp.route("/monthly")
def monthly():
    query = _list_query("month")
    report = get_json("reporting", "/statistics/monthly", **query)
    return render_template(
        "reporting/monthly.html", report=report, query={**query, "month": report["month"]}
    )


@blp.route("/monthly.xlsx")
def monthly_xlsx():
    return download("reporting", "/statistics/monthly.xlsx", **_list_query("month"))


@blp.route("/periods.xlsx")
def periods_xlsx():
    return download("reporting", "/statistics/periods.xlsx", **_list_query("campaign_id"))


def _campaign(campaign_id: str | None) -> dict | None:
    if campaign_id:
        return get_json("reporting", f"/campaigns/{campaign_id}")
    return current_campaign()


@blp.route("/board")
def board():
    campaign = _campaign(request.args.get("campaign"))
    if campaign is None:
        return render_template("reporting/board.html", campaign=None)
    due_id = request.args.get("due")
    due = next((d for d in campaign["reporting_dues"] if d["id"] == due_id), None)
    if due is None:
        due, _ = due_of_interest(campaign)
    if due is None:  # the campaign has no reporting due dates (yet): nothing to show
        return render_template("reporting/board.html", campaign=campaign, due=None)
    board = get_json("reporting", f"/campaigns/{campaign['id']}/dues/{due['id']}/board")
    user = auth.user()
    return render_template(
        "reporting/board.html",
        campaign=campaign,
        due=due,
        board=board,
        may_submit={
            row["unit_code"]
            for row in board["units"]
            if not row["submitted"] and user.unit == row["unit_code"]
        },
    )


@blp.route("/campaigns/<campaign_id>/dues/<due_id>/units/<unit_code>")
def preview(campaign_id: str, due_id: str, unit_code: str):
    """The unit's table as the service would freeze it now (or as it was submitted), cell
    for cell as the .xlsx prints it; the 报送 button under it, with a confirmation."""
    campaign = get_json("reporting", f"/campaigns/{campaign_id}")
    due = next((d for d in campaign["reporting_dues"] if d["id"] == due_id), None)
    if due is None:
        abort(404)
    path = f"/campaigns/{campaign_id}/dues/{due_id}"
    view = get_json("reporting", f"{path}/table/view", unit_code=unit_code)
    return render_template(
        "reporting/preview.html",
        campaign=campaign,
        due=due,
        view=view,
        may_submit=not view["submitted"] and auth.user().unit == unit_code,
    )


@blp.route("/campaigns/<campaign_id>/dues/<due_id>/submit", methods=["POST"])
def submit(campaign_id: str, due_id: str):
    unit = request.form.get("unit_code") or ""
    try:
        api(
            "reporting",
            "POST",
            f"/campaigns/{campaign_id}/dues/{due_id}/submissions",
            json_body={"unit_code": unit},
        )
    except ServiceError as exc:
        flash_error(exc)
    else:
        flash("统计表已提交", "success")
    return redirect(url_for("reporting.board", campaign=campaign_id, due=due_id))


@blp.route("/campaigns/<campaign_id>/dues/<due_id>/remind", methods=["POST"])
def remind(campaign_id: str, due_id: str):
    """催报: the service queues the e-mail and the group robots' message (or says why not)."""
    unit = request.form.get("unit_code") or ""
    try:
        sent = api(
            "reporting",
            "POST",
            f"/campaigns/{campaign_id}/dues/{due_id}/reminders",
            json_body={"unit_code": unit},
        ).json()
    except ServiceError as exc:
        if exc.status >= 500:
            raise
        flash_error(exc)
    else:
        how = "邮件和工作群" if sent["email"] else "工作群（该单位未登记邮箱）"
        flash(f"已向{sent['unit_name']}催报（{how}）", "success")
    return redirect(url_for("reporting.board", campaign=campaign_id, due=due_id))


@blp.route("/campaigns/<campaign_id>/dues/<due_id>/tables.xlsx")
def tables(campaign_id: str, due_id: str):
    """Every submitted table of the due date: one workbook, a sheet per unit."""
    return download("reporting", f"/campaigns/{campaign_id}/dues/{due_id}/tables.xlsx")


@blp.route("/campaigns/<campaign_id>/dues/<due_id>/table.xlsx")
def table(campaign_id: str, due_id: str):
    unit = request.args.get("unit_code") or auth.user().unit
    if not unit:
        abort(404)
    return download("reporting", f"/campaigns/{campaign_id}/dues/{due_id}/table", unit_code=unit)


PAGE_SIZE = 30


FLAG_FILTERS = ("unit_code", "rule", "raised_from", "raised_to")


def _flag_query() -> tuple[str, dict[str, str]]:
    """The list's filters from the address: the status ("all" or one the service knows) and
    unit, rule, period."""
    status = request.args.get("status", "open")
    statuses = reporting_labels("flag_statuses")
    # "all", or a status the service does not know: every flag (unknown while it is down)
    known = status in statuses or (not statuses and status != "all")
    query = {k: request.args[k] for k in FLAG_FILTERS if request.args.get(k)}
    if known:
        query["status"] = status
    return status, query


def _flags_page(bulk: dict | None = None, status_code: int = 200):
    status, query = _flag_query()
    page = max(1, request.args.get("page", 1, type=int))
    try:
        reply = api(
            "reporting", "GET", "/flags", params={**query, "page": page, "page_size": PAGE_SIZE}
        )
    except ServiceError as exc:  # a filter the service refuses: beside it, the list empty
        if exc.status >= 500 or exc.status == 403 and not query.get("unit_code"):
            raise
        filter_errors = errors_beside(exc, FLAG_FILTERS, "unit_code")
        flags, paging = [], pages(0, 1, PAGE_SIZE)
        status_code = exc.status
    else:
        filter_errors = {}
        flags, paging = reply.json(), pages(reply.total, page, PAGE_SIZE)
    body = render_template(
        "reporting/flags.html",
        flags=flags,
        paging=paging,
        status=status,
        query=query,
        filter_errors=filter_errors,
        names=unit_names(current_campaign()),
        statuses=reporting_labels("flag_statuses"),
        rules=reporting_labels("flag_rules"),
        decisions=decision_choices(),
        bulk=bulk or {"typed": {}, "errors": {}, "results": []},
        decidable=any("decide" in f.get("my_actions", ()) for f in flags),
    )
    return body, status_code


@blp.route("/flags")
def flags():
    return _flags_page()


@blp.route("/flags.xlsx")
def flags_xlsx():
    """The list as filtered, as a spreadsheet (the service writes it: names, not codes)."""
    _, query = _flag_query()
    return download("reporting", "/flags/export.xlsx", **query)


@blp.route("/flags/decisions", methods=["POST"])
def bulk_decide():
    """One decision for several flags: each goes to the service on its own; the page says,
    flag by flag, which were recorded and why the others were not."""
    chosen = request.form.getlist("flag_id")
    typed = {
        "status": request.form.get("status") or "",
        "reason": (request.form.get("reason") or "").strip(),
        "flag_id": chosen,
    }
    if not chosen:
        bulk = {"typed": typed, "errors": {"flag_id": "请先勾选要认定的问责记录"}, "results": []}
        return _flags_page(bulk, 422)
    names = unit_names(current_campaign())
    results = []
    for flag_id in chosen:
        body = {"status": typed["status"], "reason": typed["reason"]}
        try:
            flag = api("reporting", "POST", f"/flags/{flag_id}/decision", json_body=body).json()
        except ServiceError as exc:
            if exc.status >= 500:
                raise
            results.append({"id": flag_id, "ok": False, "message": problem_message(exc)})
            continue
        results.append(
            {"id": flag_id, "ok": True, "label": _flag_label(flag, names), "message": "已认定"}
        )
    _label_failures(results, names)
    failed = [r for r in results if not r["ok"]]
    errors = {}
    if failed and len(failed) == len(results):  # nothing recorded: keep the form as typed
        errors = {"reason": "所选记录均未认定，见下方各条原因"}
    else:
        typed = {"status": "", "reason": "", "flag_id": [r["id"] for r in failed]}
    bulk = {"typed": typed, "errors": errors, "results": results}
    return _flags_page(bulk, 200 if len(failed) < len(results) else 422)


def _label_failures(results: list[dict], names: dict[str, str]) -> None:
    """Name the flags the service refused (unit and rule, never an id), when still readable."""
    for result in results:
        if result["ok"]:
            continue
        try:
            flag = get_json("reporting", f"/flags/{result['id']}")
        except ServiceError:
            result["label"] = "（无法读取的问责记录）"
        else:
            result["label"] = _flag_label(flag, names)


def _flag_label(flag: dict, names: dict[str, str]) -> str:
    """A flag in words: unit, rule and what it is about (several may share unit and rule)."""
    about = "，".join(f"{k} {v}" for k, v in evidence_items(flag.get("evidence") or {})[:2])
    unit = names.get(flag["unit_code"], flag["unit_code"])
    return f"{unit}：{flag['rule_label']}" + (f"（{about}）" if about else "")


FLAG_STEPS = {  # the review steps of a flag: endpoint, success message
    "explanation": ("explanation", "情况说明已提交"),
    "appeal": ("appeal", "申诉已提交"),
}


def _flag_page(flag_id: str, typed: dict | None = None, errors: dict | None = None, status=200):
    flag = get_json("reporting", f"/flags/{flag_id}")
    page = render_template(
        "reporting/flag.html",
        flag=flag,
        names=unit_names(current_campaign()),
        decisions=decision_choices(),
        typed=typed or {},
        errors=errors or {},
    )
    return page, status


@blp.route("/flags/<flag_id>")
def flag(flag_id: str):
    """One flag: why, who, its whole history, and the form for the step the signed-in
    person may take (the service says which: ``my_actions``)."""
    return _flag_page(flag_id)


def _field_errors(exc: ServiceError, default_field: str) -> dict[str, str]:
    """The service's complaint beside the field it names (the whole message beside the
    form's main field when it names none)."""
    named = {p.get("name", ""): p.get("reason", "") for p in exc.fields}
    return named or {default_field: problem_message(exc)}


@blp.route("/flags/<flag_id>/<step>", methods=["POST"])
def answer(flag_id: str, step: str):
    """The unit's 情况说明 or 申诉, with files; on a refusal the page comes back with the
    reason beside the field and the text as typed."""
    if step not in FLAG_STEPS:
        abort(404)
    endpoint, done = FLAG_STEPS[step]
    text = (request.form.get("text") or "").strip()
    typed = {"text": text}
    try:
        api("reporting", "POST", f"/flags/{flag_id}/{endpoint}", json_body={"text": text})
    except ServiceError as exc:
        if exc.status >= 500:
            raise
        return _flag_page(flag_id, typed, _field_errors(exc, "text"), exc.status)
    for file in _files():
        try:
            api("reporting", "POST", f"/flags/{flag_id}/files", files=[file])
        except ServiceError as exc:
            flash(f"文件 {file[1]} 未能上传：{problem_message(exc)}", "error")
    flash(done, "success")
    return redirect(url_for("reporting.flag", flag_id=flag_id))


def _files() -> list[tuple[str, str, str, bytes]]:
    return [
        ("file", f.filename or "file", f.mimetype or "application/octet-stream", f.read())
        for f in request.files.getlist("files")
        if f and f.filename
    ]


@blp.route("/flags/<flag_id>/decision", methods=["POST"])
def decide(flag_id: str):
    typed = {
        "status": request.form.get("status") or "",
        "reason": (request.form.get("reason") or "").strip(),
    }
    try:
        api("reporting", "POST", f"/flags/{flag_id}/decision", json_body=typed)
    except ServiceError as exc:
        if exc.status >= 500:
            raise
        if request.form.get("back") == "list":
            flash_error(exc)
            return redirect(url_for("reporting.flags", status=request.form.get("back_status")))
        return _flag_page(flag_id, typed, _field_errors(exc, "reason"), exc.status)
    flash("认定结果已记录", "success")
    return redirect(url_for("reporting.flag", flag_id=flag_id))


@blp.route("/flags/<flag_id>/files/<file_id>")
def flag_file(flag_id: str, file_id: str):
    return download("reporting", f"/flags/{flag_id}/files/{file_id}")


@blp.route("/year-end")
def year_end():
    campaign = _campaign(request.args.get("campaign"))
    view = get_json("reporting", f"/campaigns/{campaign['id']}/assessment") if campaign else None
    return render_template("reporting/year_end.html", campaign=campaign, view=view)


@blp.route("/campaigns/<campaign_id>/assessment.xlsx")
def assessment_xlsx(campaign_id: str):
    return download("reporting", f"/campaigns/{campaign_id}/assessment.xlsx")
