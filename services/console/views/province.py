"""省级汇总: the province console's pages (CONSOLE_MODE=province, issue 19) — the colleges
with their latest figures, one college's tables, figures and major hazards, the province-wide
totals, each province due date's late and missing colleges, the province's accountability
flags, and the .xlsx. Every page reads the province service's API with the signed-in
person's token; the rules (what counts late, what a flag is) are the province's."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for

from services.console.views.common import download, get_json
from shared.hazard_stages import STAGE_LABELS
from shared.vocabulary import CATEGORIES

blp = Blueprint("province", __name__)
# The figures a college's row shows in the list (the others on its own page).
LIST_FIGURES = ("cumulative_found", "cumulative_closed", "cumulative_rate", "open_at_end")


@blp.app_template_filter("province_category")
def category_label(code: str) -> str:
    return CATEGORIES.get(code, code)


@blp.app_template_filter("province_stage")
def stage_label(stage: str) -> str:
    return STAGE_LABELS.get(stage, stage)


def _labels(reply: dict[str, Any]) -> list[tuple[str, str]]:
    return [(key, label) for key, label in reply.get("figure_labels") or []]


@blp.route("/")
def index():
    return redirect(url_for("province.colleges"))


@blp.route("/province/colleges")
def colleges():
    listed = get_json("province", "/province/colleges")
    totals = get_json("province", "/province/totals")
    latest = {row["campus_id"]: row for row in totals["by_college"]}
    labels = dict(_labels(totals))
    return render_template(
        "province/colleges.html",
        colleges=listed,
        latest=latest,
        columns=[(key, labels.get(key, key)) for key in LIST_FIGURES],
    )


@blp.route("/province/colleges/<campus_id>")
def college(campus_id: str):
    found = get_json("province", f"/province/colleges/{campus_id}")
    return render_template("province/college.html", college=found, labels=_labels(found))


@blp.route("/province/totals")
def totals():
    found = get_json("province", "/province/totals")
    return render_template("province/totals.html", totals=found, labels=_labels(found))


@blp.route("/province/dues")
def dues():
    return render_template("province/dues.html", dues=get_json("province", "/province/dues"))


@blp.route("/province/flags")
def flags():
    return render_template("province/flags.html", flags=get_json("province", "/province/flags"))


@blp.route("/province/export.xlsx")
def export():
    return download("province", "/province/export.xlsx")
