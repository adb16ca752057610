"""工作台: the landing page is 我的待办 — every step waiting for the signed-in person, as
each service answers GET /todo (their rules decide; this page only merges, sorts by due
date and links each step to the page where it is taken). 概览 (/overview): hazards of the
person's scope from reporting's statistics (fed by events, so the numbers follow the
ledger within seconds), counts by stage linked to the ledger, the next due date and who
has not submitted, open accountability flags."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for

from services.console import auth
from services.console.charts import Bar, bar_chart
from services.console.client import SERVICE_NAMES, ServiceError
from services.console.format import campus_today
from services.console.labels import hazard_labels
from services.console.views.common import api, get_json
from shared.hazard_stages import OPEN, STAGES

blp = Blueprint("dashboard", __name__)


def unit_names(campaign: dict | None = None) -> dict[str, str]:
    """Unit names from the grid, completed by a campaign's list of units."""
    names = {u["unit_code"]: u["name"] for u in (campaign or {}).get("units", [])}
    return names | {u["code"]: u["name"] for u in get_json("grid", "/units")}


def open_count(stats: dict) -> int:
    """Hazards not yet struck off (the stages ``shared.hazard_stages`` counts as open)."""
    return sum(stats["by_status"].get(stage, 0) for stage in OPEN)


def rate_bars(rows: list[dict], names: dict[str, str]) -> list[Bar]:
    return [
        Bar(
            names.get(r["key"], r["key"]), r["rectification_rate"], f"{r['rectified']}/{r['found']}"
        )
        for r in rows
    ]


def current_campaign() -> dict | None:
    campaigns = get_json("reporting", "/campaigns")
    return campaigns[0] if campaigns else None


def due_of_interest(campaign: dict | None) -> tuple[dict | None, bool]:
    """The next due date, or the last one when the campaign's dates have all passed."""
    if not campaign or not campaign["reporting_dues"]:
        return None, False
    today = campus_today().isoformat()
    upcoming = [d for d in campaign["reporting_dues"] if d["due_on"] >= today]
    if upcoming:
        return upcoming[0], True
    return campaign["reporting_dues"][-1], False


# The services asked for the to-do, in the order their notices are shown.
TODO_SERVICES = ("hazards", "reporting", "education", "grid")
TODO_SHOWN = 50  # cards on the page at most, soonest due first


# A register record's page, by the id a to-do item of the hazards service carries.
REGISTER_PAGES = {
    "plan_id": "emergency_plans.plan",
    "vehicle_id": "vehicles.vehicle_item",
    "driver_id": "vehicles.driver_item",
    "building_id": "buildings.building",
    "placement_id": "placements.placement",
}


def todo_link(service: str, kind: str, target: dict[str, str]) -> str | None:
    """The console page where the step is taken, from the ids the service sent."""
    if "hazard_id" in target:
        return url_for("hazards.hazard", hazard_id=target["hazard_id"])
    if "flag_id" in target:
        return url_for("reporting.flag", flag_id=target["flag_id"])
    if "activity_id" in target:
        return url_for("education.activity", activity_id=target["activity_id"])
    if "phase_id" in target:
        keys = ("campaign_id", "task_id", "phase_id", "unit_code")
        return url_for("phase_work.work", **{k: target[k] for k in keys})
    if "due_id" in target:
        return url_for("reporting.board", campaign=target["campaign_id"], due=target["due_id"])
    if "cell_id" in target:
        return url_for("grid.cell", cell_id=target["cell_id"])
    if "person_id" in target and kind == "renew_check":  # grid: a background check expires
        return url_for("grid_ledgers.checks", person_id=target["person_id"])
    if "clue_id" in target:  # hazards: a clue waiting for its follow-up (the office's)
        return url_for("clues.clue", clue_id=target["clue_id"])
    for key, endpoint in REGISTER_PAGES.items():  # hazards: a register's record to renew
        if key in target:
            return url_for(endpoint, **{key: target[key]})
    return None


def todo_of(service: str) -> tuple[dict | None, str | None]:
    """One service's to-do, or the notice shown in its place when it cannot answer."""
    try:
        return api(service, "GET", "/todo").json(), None
    except ServiceError as error:
        if error.status == 401:
            raise
        name = SERVICE_NAMES[service]
        if error.status in (404, 405):  # a service without a to-do (yet): nothing waits there
            return None, None
        return None, f"{name}服务暂时无法访问，其中的待办事项暂不显示，请稍后刷新。"


def merged_todo() -> dict[str, Any]:
    """The four services' to-dos as one list, soonest due first (undated last)."""
    items, counts, notices, total = [], [], [], 0
    for service in TODO_SERVICES:
        answer, notice = todo_of(service)
        if notice:
            notices.append(notice)
        if not answer:
            continue
        total += answer["total"]
        counts += [{**c, "service": SERVICE_NAMES[service]} for c in answer["counts"]]
        for item in answer["items"]:
            link = todo_link(service, item["kind"], item.get("target") or {})
            items.append({**item, "service": SERVICE_NAMES[service], "link": link})
    items.sort(key=lambda i: (i["due_on"] is None, i["due_on"] or "", i["title"]))
    shown = items[:TODO_SHOWN]  # a phone's screenful or so; the counts say how many more
    return {
        "entries": shown,
        "counts": counts,
        "notices": notices,
        "total": total,
        "shown": len(shown),
    }


@blp.route("/")
def index():
    """我的待办: the landing page."""
    return render_template("todo.html", user=auth.user(), todo=merged_todo())


def stage_counts(stats: dict) -> list[dict[str, Any]]:
    """Hazards by stage, in the loop's order, with the words the ledger serves."""
    labels = hazard_labels("stages")
    return [
        {"stage": s, "label": labels.get(s, s), "count": stats["by_status"].get(s, 0)}
        for s in STAGES
    ]


def incident_figures(campaign: dict | None) -> dict | None:
    """The campaign's incidents and its goal 「无重大安全事故」 (reporting's statistics, the
    person's scope); None while reporting cannot say."""
    params = {"campaign_id": campaign["id"]} if campaign else {}
    try:
        return get_json("reporting", "/statistics/incidents", **params)
    except ServiceError:
        return None


@blp.route("/overview")
def overview():
    """概览: the campaign's figures in the person's scope; every count links to its list."""
    user = auth.user()
    campaign = current_campaign()
    names = unit_names(campaign)
    by_unit = get_json("reporting", "/statistics", group_by="unit")
    by_category = get_json("reporting", "/statistics", group_by="category")
    major = get_json("reporting", "/statistics", severity="major")
    due, upcoming = due_of_interest(campaign)
    board = (
        get_json("reporting", f"/campaigns/{campaign['id']}/dues/{due['id']}/board")
        if campaign and due
        else None
    )
    reply = api("reporting", "GET", "/flags", params={"status": "open", "page_size": 5})
    flags, flag_total = reply.json(), reply.total or 0
    numbers = {
        "found": by_unit["totals"]["found"],
        "open": open_count(by_unit),
        "overdue": by_unit["totals"]["overdue"],
        "major": open_count(major),
        "rate": by_unit["totals"]["rectification_rate"],
    }
    stages = stage_counts(by_unit)
    incidents = incident_figures(campaign)
    unit_chart = bar_chart("chart-unit", "各单位隐患整改率", rate_bars(by_unit["rows"], names))
    category_chart = bar_chart(
        "chart-category",
        "各类别隐患整改率",
        rate_bars(by_category["rows"], hazard_labels("categories")),
    )
    return render_template(
        "dashboard.html",
        user=user,
        numbers=numbers,
        names=names,
        by_unit=by_unit,
        by_category=by_category,
        unit_chart=unit_chart,
        category_chart=category_chart,
        campaign=campaign,
        due=due,
        upcoming=upcoming,
        board=board,
        flags=flags,
        flag_total=flag_total,
        stages=stages,
        incidents=incidents,
        plans=by_unit.get("emergency_plans"),
    )
