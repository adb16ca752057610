"""What the education pages' forms share: an activity's form read into the service's body,
and the service's refusal put beside the form's fields in Chinese (a taken venue names the
activity holding it, beside the venue and the times)."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import request

from services.console.client import ServiceError
from services.console.format import campus_dt, campus_tz
from services.console.views.common import api, form_value
from services.console.views.grid_forms import refused

ACTIVITY_FIELDS = (
    "kind",
    "title",
    "theme",
    "organiser_unit",
    "targets",
    "venue",
    "starts_on",
    "starts_time",
    "ends_time",
    "capacity",
    "description",
)
ACTIVITY_FIELDS += ("plan_id",)  # a drill: the emergency plan (应急预案) it exercises
# The service's field -> the form's field that shows its complaint.
BESIDE = {"starts_at": "starts_time", "ends_at": "ends_time"}


def _moment(day: str | None, at: str | None) -> str | None:
    """A campus date and time as the service's aware timestamp (None: not typed or not
    readable; the service then names the field)."""
    if not day or not at:
        return None
    try:
        moment = datetime.combine(date.fromisoformat(day), time.fromisoformat(at), campus_tz())
    except ValueError:
        return None
    return moment.isoformat()


def typed_activity() -> dict:
    """What the activity form typed, to show again as it was."""
    typed: dict = {k: form_value(k) for k in ACTIVITY_FIELDS if k != "targets"}
    typed["targets"] = [t for t in request.form.getlist("targets") if t]
    return typed


def activity_body(typed: dict, creating: bool) -> dict:
    """The service's body: times in campus time, targets as units; an emptied optional
    field is removed (None) when editing, left out when creating."""
    body: dict = {
        "title": typed["title"],
        "theme": typed["theme"],
        "description": typed["description"],
        "venue": typed["venue"],
        "capacity": typed["capacity"],
        "starts_at": _moment(typed["starts_on"], typed["starts_time"]),
        "ends_at": _moment(typed["starts_on"], typed["ends_time"]),
        "targets": [{"unit_code": code} for code in typed["targets"]],
        "plan_id": typed.get("plan_id"),
    }
    if creating:
        body |= {"kind": typed["kind"], "organiser_unit": typed["organiser_unit"]}
        return {k: v for k, v in body.items() if v not in (None, [])}
    optional = ("theme", "description", "venue", "capacity", "plan_id")
    # An emptied required field is sent emptied, so the service refuses it beside the field:
    # left out, the service would keep the old value and the page would say 已修改.
    sent = (*optional, "title", "targets", "starts_at", "ends_at")
    body["title"] = body["title"] or ""
    return {k: v for k, v in body.items() if v not in (None, []) or k in sent}


def activity_typed_from(activity: dict) -> dict:
    """The edit form filled from the activity as the service keeps it."""
    return {
        **{k: activity.get(k) for k in ACTIVITY_FIELDS},
        "targets": [t["unit_code"] for t in activity["targets"]],
        "starts_on": campus_dt(activity["starts_at"], "%Y-%m-%d"),
        "starts_time": campus_dt(activity["starts_at"], "%H:%M"),
        "ends_time": campus_dt(activity["ends_at"], "%H:%M"),
    }


def plan_choices() -> dict[str, str]:
    """The emergency plans in force the caller sees (the hazards register), id -> words; none
    when that service cannot answer (a drill can name its plan later)."""
    try:
        reply = api("hazards", "GET", "/emergency-plans", params={"status": "in_force"})
    except ServiceError:
        return {}
    return {p["id"]: f"{p['title']}（{p['scenario_label']}，{p['edition']}）" for p in reply.json()}


def _top_level(exc: ServiceError) -> ServiceError:
    """Each complaint named by the form's field: ``targets.0.unit_code`` is ``targets``,
    ``starts_at`` the start time's field."""
    fields = []
    for p in exc.fields:
        name = str(p.get("name", "")).split(".")[0]
        fields.append({**p, "name": BESIDE.get(name, name)})
    return ServiceError(exc.status, {**exc.problem, "invalid_params": fields}, exc.service)


def by_last_name(exc: ServiceError) -> ServiceError:
    """Each complaint named by its last part: ``problems.0.description`` is
    ``description`` (the drill forms hold one problem)."""
    fields = [{**p, "name": str(p.get("name", "")).split(".")[-1]} for p in exc.fields]
    return ServiceError(exc.status, {**exc.problem, "invalid_params": fields}, exc.service)


def venue_taken(exc: ServiceError) -> dict[str, str] | None:
    """A 409 naming the activity that holds the venue then: its title and times beside
    the venue and the time fields."""
    other = exc.problem.get("conflicting_activity")
    if exc.status != 409 or not isinstance(other, dict):
        return None
    when = f"{campus_dt(other.get('starts_at'))} 至 {campus_dt(other.get('ends_at'), '%H:%M')}"
    said = f"该场地在此时间已被「{other.get('title', '')}」占用（{when}），请换场地或时间"
    return {"venue": said, "starts_time": f"与「{other.get('title', '')}」时间冲突（{when}）"}


def activity_errors(exc: ServiceError) -> dict[str, str]:
    return venue_taken(exc) or refused(_top_level(exc), ACTIVITY_FIELDS, "title")


def warnings_in_chinese(warnings: list[dict], names: dict[str, str]) -> list[str]:
    """The service's scheduling warnings (a target expected elsewhere then), in Chinese."""
    said = []
    for w in warnings:
        who = names.get(w.get("unit_code", ""), w.get("unit_code", ""))
        if w.get("class_name"):
            who += f" {w['class_name']}"
        when = f"{campus_dt(w.get('starts_at'))}–{campus_dt(w.get('ends_at'), '%H:%M')}"
        said.append(f"提示：{who} 同一时间还要参加「{w.get('title', '')}」（{when}）")
    return said
