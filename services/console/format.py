"""Presentation only: the console's own words and Jinja filters (campus times, rates).

The services' words for their codes (stages, severities, categories, flag rules, work
statuses, grid roles …) come from each service's ``GET /labels`` (``services.console.labels``),
and labels an answer already carries (status_label, category_label …) are used as sent;
what is here are the words of the console's own buttons, menus and headings.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from services.console.labels import label, labels
from shared.principal import ROLE_LABELS  # the person's roles (the token's), as refusals say them

# A unit's phase work (阶段工作): its own kinds of ledger entry first in the form's choices.
UNIT_WORK_KINDS = ("organisation", "work_plan", "check_ledger", "rectify_plan")


def ledger_kind_choices() -> dict[str, str]:
    """The kinds of a ledger entry for the form, the unit's own first (reporting's words)."""
    kinds = labels("reporting", "ledger_kinds")
    return {k: kinds[k] for k in UNIT_WORK_KINDS if k in kinds} | kinds


def decision_choices() -> dict[str, str]:
    return labels("reporting", "decisions")


EVIDENCE_LABELS = {
    "number": "隐患编号",
    "status": "当时环节",
    "found_at": "发现时间",
    "deadline": "期限",
    "due_on": "报送日期",
    "submitted_at": "报送时间",
    "phase": "阶段",
    "task_number": "任务序号",
    "task_title": "任务",
    "completed_at": "完成时间",
    "cell_name": "地点",  # 安全责任书未签订: the head's place and the letter's year
    "year": "年度",
}


def evidence_items(evidence: dict) -> list[tuple[str, str]]:
    """A flag's evidence in words (ids and bookkeeping times left out)."""
    items = []
    for key, name in EVIDENCE_LABELS.items():
        value = evidence.get(key)
        if value in (None, ""):
            continue
        if key == "status":
            value = label("hazards", "stages", value)
        elif isinstance(value, str) and "T" in value and key.endswith("_at"):
            value = campus_dt(value)
        items.append((name, str(value)))
    return items


def campus_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["CAMPUS_TIMEZONE"])


def to_datetime(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def campus_dt(value: str | datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    moment = to_datetime(value)
    if moment is None:
        return "—"
    if moment.tzinfo is not None:
        moment = moment.astimezone(campus_tz())
    return moment.strftime(fmt)


def campus_today() -> date:
    return datetime.now(campus_tz()).date()


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["campus_dt"] = campus_dt
    app.jinja_env.filters["campus_date"] = lambda v: campus_dt(v, "%Y-%m-%d")
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["role_label"] = lambda r: ROLE_LABELS.get(r, r)
    app.jinja_env.filters["grid_role"] = lambda r: label("grid", "roles", r)
    app.jinja_env.filters["action_label"] = lambda a: label("hazards", "actions", a)
    app.jinja_env.filters["category_label"] = lambda c: label("hazards", "categories", c)
    app.jinja_env.filters["evidence"] = evidence_items
    app.jinja_env.filters["work_status"] = lambda s: label("reporting", "work_statuses", s)
