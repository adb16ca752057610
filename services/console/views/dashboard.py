"""工作台: hazards of the person's scope from reporting's statistics (fed by events, so
the numbers follow the ledger within seconds), the next due date and who has not
submitted, open accountability flags."""

from __future__ import annotations

from flask import Blueprint, render_template

from services.console import auth
from services.console.charts import Bar, bar_chart
from services.console.format import campus_today
from services.console.labels import hazard_labels
from services.console.views.common import api, get_json
from shared.hazard_stages import OPEN

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


@blp.route("/")
def index():
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
    )
