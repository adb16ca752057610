"""阶段工作: a responsible unit's own phase work on the campaign's focus tasks (工作机构、工作
方案、自查台账、整改方案 with evidence files) and its submission; 工作进度: the progress
matrix (tasks × phases × units) for the lead departments and the security office, with
the lead departments' 确认 and 退回.

Every page is read from the reporting service with the person's token and every button
posts to it: who may write, submit, confirm or return, and when, is the service's rule. A
refusal comes back beside the field it concerns, the text as typed kept.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from services.console import auth
from services.console.client import ServiceError
from services.console.format import ledger_kind_choices
from services.console.labels import codes
from services.console.views.common import api, download, get_json, problem_message
from services.console.views.common import errors_beside as _beside
from services.console.views.dashboard import current_campaign

blp = Blueprint("phase_work", __name__, url_prefix="/work")
PAGE_SIZE = 100  # the services' largest page (flask-smorest's max_page_size)
REVIEWERS = ("security_office", "lead_department")  # who is offered 确认/退回 (the service decides)
UNITS_PARTY = "units"  # a phase's party (reporting's code): each answering unit keeps its work


# -- reading ------------------------------------------------------------------------------
def _every(path: str, **params: Any) -> list[dict]:
    """Every row of a paginated list (page after page while the service says there is more)."""
    rows: list[dict] = []
    page = 1
    while True:
        reply = api(
            "reporting", "GET", path, params={**params, "page": page, "page_size": PAGE_SIZE}
        )
        batch = reply.json() or []
        rows.extend(batch)
        if not batch or reply.total is None or len(rows) >= reply.total:
            return rows
        page += 1


def _task_path(campaign_id: str, task_id: str) -> str:
    return f"/campaigns/{campaign_id}/tasks/{task_id}"


def _work_path(campaign_id: str, task_id: str, phase_id: str, unit_code: str) -> str:
    return f"{_task_path(campaign_id, task_id)}/phases/{phase_id}/work/{unit_code}"


def _names(campaign: dict) -> dict[str, str]:
    return {u["unit_code"]: u["name"] for u in campaign.get("units", [])}


def _answers_for(task: dict, unit: str | None) -> bool:
    """Whether ``unit`` keeps phase work on the task (the service says who: answering_units)."""
    return unit is not None and unit in task.get("answering_units", ())


def _units_phase(phase: dict) -> bool:
    return phase.get("party", UNITS_PARTY) == UNITS_PARTY


def _open_work(state: str) -> bool:
    """Whether the work is still the unit's to keep: not standing as done (reporting's
    ``work_standing``; while that is out of reach the forms are offered and the service
    refuses what it does not allow)."""
    return state not in codes("reporting", "work_standing")


@blp.route("")
def mine():
    """The signed-in person's unit: each task it answers for, per phase its status, late
    flag, return reason and entries, each linking to the page where it is kept."""
    user = auth.user()
    campaign = current_campaign()
    if campaign is None:
        return render_template("work/mine.html", campaign=None, rows=[])
    rows = []
    for task in campaign["tasks"]:
        if not _answers_for(task, user.unit):
            continue
        path = _task_path(campaign["id"], task["id"])
        done = {c["phase_id"]: c for c in get_json("reporting", f"{path}/completions")}
        entries = _every(f"{path}/ledger", unit_code=user.unit)
        phases = []
        for phase in campaign["phases"]:
            phases.append(
                {
                    "phase": phase,
                    "units_phase": _units_phase(phase),
                    "work": done.get(phase["id"]),
                    "entries": [e for e in entries if e.get("phase_id") == phase["id"]],
                }
            )
        rows.append({"task": task, "phases": phases})
    return render_template(
        "work/mine.html",
        campaign=campaign,
        rows=rows,
        unit_name=_names(campaign).get(user.unit or "", user.unit),
        sees_progress=user.is_global or "lead_department" in user.roles,
    )


def _work_page(
    campaign_id: str,
    task_id: str,
    phase_id: str,
    unit_code: str,
    typed: dict | None = None,
    errors: dict | None = None,
    status: int = 200,
):
    """One unit's work on one task in one phase: status, steps, entries with their files,
    and the forms the person may use (the service refuses what it does not allow)."""
    campaign = get_json("reporting", f"/campaigns/{campaign_id}")
    task = next((t for t in campaign["tasks"] if t["id"] == task_id), None)
    phase = next((p for p in campaign["phases"] if p["id"] == phase_id), None)
    if task is None or phase is None:
        abort(404)
    path = _task_path(campaign_id, task_id)
    found = get_json("reporting", f"{path}/completions", phase_id=phase_id, unit_code=unit_code)
    work = next((c for c in found if c["unit_code"] == unit_code), None)
    entries = _every(f"{path}/ledger", phase_id=phase_id, unit_code=unit_code)
    user = auth.user()
    state = work["status"] if work else "not_submitted"
    keeper = user.unit == unit_code or "security_office" in user.roles
    errors = errors or {}
    # A refused form stays on the page with its reason, even when the work moved on meanwhile.
    kept = [k for k in errors if not k.startswith(("confirm_", "return_"))]
    reviewed = [k for k in errors if k.startswith(("confirm_", "return_"))]
    page = render_template(
        "work/work.html",
        campaign=campaign,
        task=task,
        phase=phase,
        unit_code=unit_code,
        unit_name=_names(campaign).get(unit_code, unit_code),
        names=_names(campaign),
        units_phase=_units_phase(phase),
        work=work,
        state=state,
        entries=entries,
        kinds=ledger_kind_choices(),
        # Offered while the work is open (the domain's own statuses); the service decides.
        may_keep=bool(kept) or (keeper and _units_phase(phase) and _open_work(state)),
        may_review=bool(reviewed)
        or (
            state == "submitted"
            and user.unit != unit_code
            and any(r in user.roles for r in REVIEWERS)
        ),
        typed=typed or {},
        errors=errors,
    )
    return page, status


@blp.route("/<campaign_id>/tasks/<task_id>/phases/<phase_id>/units/<unit_code>")
def work(campaign_id: str, task_id: str, phase_id: str, unit_code: str):
    return _work_page(campaign_id, task_id, phase_id, unit_code)


# -- the unit's side: entries, files, submission --------------------------------------------
def _upload() -> tuple[str, str, str, bytes] | None:
    file = request.files.get("file")
    if not file or not file.filename:
        return None
    return ("file", file.filename, file.mimetype or "application/octet-stream", file.read())


def _back(campaign_id: str, task_id: str, phase_id: str, unit_code: str):
    return redirect(
        url_for(
            "phase_work.work",
            campaign_id=campaign_id,
            task_id=task_id,
            phase_id=phase_id,
            unit_code=unit_code,
        )
    )


ENTRY_FIELDS = ("kind", "content", "reference", "url")


@blp.route(
    "/<campaign_id>/tasks/<task_id>/phases/<phase_id>/units/<unit_code>/entries",
    methods=["POST"],
)
def add_entry(campaign_id: str, task_id: str, phase_id: str, unit_code: str):
    """A line of the unit's phase work, with an optional file of evidence."""
    typed = {k: (request.form.get(k) or "").strip() for k in ENTRY_FIELDS}
    body: dict[str, Any] = {
        "kind": typed["kind"],
        "content": typed["content"],
        "phase_id": phase_id,
        "unit_code": unit_code,
    }
    body |= {k: typed[k] for k in ("reference", "url") if typed[k]}
    upload = _upload()
    path = _task_path(campaign_id, task_id)
    try:
        entry = api("reporting", "POST", f"{path}/ledger", json_body=body).json()
    except ServiceError as exc:
        errors = _beside(exc, ENTRY_FIELDS, "content")
        if upload:  # a browser never keeps a chosen file: say so beside the field
            errors.setdefault("file", "未保存记录，请重新选择文件")
        return _work_page(campaign_id, task_id, phase_id, unit_code, typed, errors, exc.status)
    if upload:
        try:
            api("reporting", "POST", f"{path}/ledger/{entry['id']}/files", files=[upload])
        except ServiceError as exc:
            if exc.status >= 500:
                raise
            flash(f"记录已保存，文件 {upload[1]} 未能上传：{problem_message(exc)}", "error")
            return _back(campaign_id, task_id, phase_id, unit_code)
    flash("工作记录已保存", "success")
    return _back(campaign_id, task_id, phase_id, unit_code)


@blp.route(
    "/<campaign_id>/tasks/<task_id>/phases/<phase_id>/units/<unit_code>/entries/<entry_id>/files",
    methods=["POST"],
)
def add_file(campaign_id: str, task_id: str, phase_id: str, unit_code: str, entry_id: str):
    """One more file of an entry's evidence (a photo or a PDF)."""
    upload = _upload()
    if upload is None:
        errors = {f"file-{entry_id}": "请选择文件"}
        return _work_page(campaign_id, task_id, phase_id, unit_code, None, errors, 422)
    path = f"{_task_path(campaign_id, task_id)}/ledger/{entry_id}/files"
    try:
        api("reporting", "POST", path, files=[upload])
    except ServiceError as exc:
        errors = {f"file-{entry_id}": _beside(exc, (), "file")["file"]}
        return _work_page(campaign_id, task_id, phase_id, unit_code, None, errors, exc.status)
    flash(f"文件 {upload[1]} 已上传", "success")
    return _back(campaign_id, task_id, phase_id, unit_code)


@blp.route("/<campaign_id>/tasks/<task_id>/ledger/<entry_id>/files/<file_id>")
def ledger_file(campaign_id: str, task_id: str, entry_id: str, file_id: str):
    return download(
        "reporting", f"{_task_path(campaign_id, task_id)}/ledger/{entry_id}/files/{file_id}"
    )


@blp.route(
    "/<campaign_id>/tasks/<task_id>/phases/<phase_id>/units/<unit_code>/submit",
    methods=["POST"],
)
def submit(campaign_id: str, task_id: str, phase_id: str, unit_code: str):
    """The unit marks its phase work done (again, after a return)."""
    note = (request.form.get("note") or "").strip()
    typed = {"note": note}
    try:
        api(
            "reporting",
            "POST",
            f"{_work_path(campaign_id, task_id, phase_id, unit_code)}/submit",
            json_body={"note": note or None},
        )
    except ServiceError as exc:
        errors = _beside(exc, ("note",), "submit")
        return _work_page(campaign_id, task_id, phase_id, unit_code, typed, errors, exc.status)
    flash("阶段工作已提交，等待牵头部门确认", "success")
    return _back(campaign_id, task_id, phase_id, unit_code)


# -- the lead departments' side: the matrix, 确认 and 退回 ---------------------------------
def _progress_page(
    campaign_id: str | None = None,
    failed: dict | None = None,
    status: int = 200,
):
    campaign = (
        get_json("reporting", f"/campaigns/{campaign_id}") if campaign_id else current_campaign()
    )
    if campaign is None:
        return render_template("work/progress.html", campaign=None, view=None), status
    view = get_json("reporting", f"/campaigns/{campaign['id']}/progress")
    phases = {p["id"]: p for p in view["phases"]}
    pending = [
        {"task": task, "phase": phases.get(cell_phase["phase_id"], {}), "cell": cell}
        for task in view["tasks"]
        for cell_phase in task["phases"]
        if cell_phase["party"] == UNITS_PARTY
        for cell in cell_phase["units"]
        if cell["status"] == "submitted"
    ]
    failed = failed or {}
    shown = any(
        (i["task"]["task_id"], i["phase"].get("id"), i["cell"]["unit_code"]) == failed.get("key")
        for i in pending
    )
    user = auth.user()
    page = render_template(
        "work/progress.html",
        campaign=campaign,
        view=view,
        phases=phases,
        names=_names(campaign),
        pending=pending,
        may_review=any(r in user.roles for r in REVIEWERS),
        failed=failed,
        # refused for work no longer awaiting a decision (decided meanwhile): said on top
        unplaced=[] if shown else list(failed.get("errors", {}).values()),
    )
    return page, status


@blp.route("/progress")
def progress():
    """工作进度: the service answers the security office, the leadership and the lead
    departments (their tasks); anyone else gets its refusal."""
    return _progress_page(request.args.get("campaign"))


DECISIONS = {  # step: (body field, success message)
    "confirm": ("note", "已确认该单位的阶段工作"),
    "return": ("reason", "已退回，单位修改后重新提交"),
}


@blp.route(
    "/<campaign_id>/tasks/<task_id>/phases/<phase_id>/units/<unit_code>/<step>",
    methods=["POST"],
)
def decide(campaign_id: str, task_id: str, phase_id: str, unit_code: str, step: str):
    """确认 or 退回 (with the reason the unit is to act on), from the matrix or the work's
    page; a refusal comes back on the page it came from, beside the field."""
    if step not in DECISIONS:
        abort(404)
    field, done = DECISIONS[step]
    text = (request.form.get(field) or "").strip()
    body = {"reason": text} if step == "return" else {"note": text or None}
    from_matrix = request.form.get("back") == "progress"
    try:
        api(
            "reporting",
            "POST",
            f"{_work_path(campaign_id, task_id, phase_id, unit_code)}/{step}",
            json_body=body,
        )
    except ServiceError as exc:
        errors = _beside(exc, (field,), field)
        if from_matrix:
            failed = {
                "key": (task_id, phase_id, unit_code),
                "step": step,
                "typed": {field: text},
                "errors": errors,
            }
            return _progress_page(campaign_id, failed, exc.status)
        typed = {f"{step}_{field}": text}
        errors = {f"{step}_{k}": v for k, v in errors.items()}
        return _work_page(campaign_id, task_id, phase_id, unit_code, typed, errors, exc.status)
    flash(done, "success")
    if from_matrix:
        return redirect(url_for("phase_work.progress", campaign=campaign_id))
    return _back(campaign_id, task_id, phase_id, unit_code)


# -- 督查报告: the lead departments' reports on the secondary colleges ------------------------
SUPERVISION_FIELDS = ("phase_id", "unit_code", "findings", "score")


def _score(text: str) -> int | str:
    """The score as a number when it is one (the service judges the range); else as typed,
    for the service to refuse beside the field."""
    return int(text) if text.lstrip("-").isdigit() else text


def _supervision_page(
    campaign_id: str | None,
    typed: dict | None = None,
    errors: dict | None = None,
    status: int = 200,
):
    campaign = (
        get_json("reporting", f"/campaigns/{campaign_id}") if campaign_id else current_campaign()
    )
    if campaign is None:
        return render_template("work/supervision.html", campaign=None), status
    filters = {k: request.args[k] for k in ("phase_id", "unit_code") if request.args.get(k)}
    reports = _every(f"/campaigns/{campaign['id']}/supervision", **filters)
    user = auth.user()
    page = render_template(
        "work/supervision.html",
        campaign=campaign,
        reports=reports,
        filters=filters,
        names=_names(campaign),
        colleges=[u for u in campaign.get("units", []) if u.get("kind") == "college"],
        # Offered to lead departments; the service says whether this one leads a task.
        may_write=bool(errors) or "lead_department" in user.roles,
        typed=typed or {},
        errors=errors or {},
    )
    return page, status


@blp.route("/supervision")
def supervision():
    """督查报告: the reports the person may read (the service filters: the security office
    and the leadership all, a lead department its own, a college those about it), and the
    form a lead department writes one with."""
    return _supervision_page(request.args.get("campaign"))


@blp.route("/supervision/<campaign_id>", methods=["POST"])
def add_report(campaign_id: str):
    typed = {k: (request.form.get(k) or "").strip() for k in SUPERVISION_FIELDS}
    body = {**typed, "score": _score(typed["score"])}
    try:
        api("reporting", "POST", f"/campaigns/{campaign_id}/supervision", json_body=body)
    except ServiceError as exc:
        errors = _beside(exc, SUPERVISION_FIELDS, "findings")
        return _supervision_page(campaign_id, typed, errors, exc.status)
    flash("督查报告已保存", "success")
    return redirect(url_for("phase_work.supervision", campaign=campaign_id))


def _report_page(
    campaign_id: str,
    report_id: str,
    typed: dict | None = None,
    errors: dict | None = None,
    status: int = 200,
):
    campaign = get_json("reporting", f"/campaigns/{campaign_id}")
    report = get_json("reporting", f"/campaigns/{campaign_id}/supervision/{report_id}")
    page = render_template(
        "work/report.html",
        campaign=campaign,
        report=report,
        names=_names(campaign),
        # Its author may replace it until editable_until; the service decides.
        may_edit=bool(errors) or auth.user().unit == report["author_unit"],
        typed=typed or {"findings": report["findings"], "score": report["score"]},
        errors=errors or {},
    )
    return page, status


@blp.route("/supervision/<campaign_id>/<report_id>")
def report(campaign_id: str, report_id: str):
    return _report_page(campaign_id, report_id)


@blp.route("/supervision/<campaign_id>/<report_id>", methods=["POST"])
def replace_report(campaign_id: str, report_id: str):
    """The author's new findings and score, sent with the version it was read at (If-Match):
    a report changed meanwhile is refused, not overwritten."""
    typed = {k: (request.form.get(k) or "").strip() for k in ("findings", "score")}
    body = {"findings": typed["findings"], "score": _score(typed["score"])}
    version = request.form.get("version") or "*"
    headers = {"If-Match": f'"{version}"' if version != "*" else "*"}
    try:
        api(
            "reporting",
            "PUT",
            f"/campaigns/{campaign_id}/supervision/{report_id}",
            json_body=body,
            headers=headers,
        )
    except ServiceError as exc:
        errors = _beside(exc, ("findings", "score"), "findings")
        return _report_page(campaign_id, report_id, typed, errors, exc.status)
    flash("督查报告已更新", "success")
    return redirect(url_for("phase_work.report", campaign_id=campaign_id, report_id=report_id))
