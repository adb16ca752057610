"""Presentation only: Chinese labels for the UI and Jinja filters (campus times, rates).

Labels the services already send (status_label, category_label …) are used as sent;
these are the words of the console's own buttons, menus and headings.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from services.hazards.domain import SEVERITY_LABELS, STATUS_LABELS
from services.reporting.domain import DECISIONS, LEDGER_KINDS, RULE_LABELS, WORK_STATUS_LABELS
from services.reporting.domain import FLAG_STATUS_LABELS as FLAG_STATUS_NAMES
from shared.vocabulary import CATEGORIES, LEAD_DEPARTMENTS

ROLE_LABELS = {
    "security_office": "安全保卫处",
    "leadership": "领导小组",
    "lead_department": "牵头部门",
    "unit_manager": "单位负责人",
    "grid_staff": "网格员",
    "psych_centre": "心理健康中心",
    "portal": "系统接口",
}
GRID_ROLE_LABELS = {
    "head": "网格负责人",
    "safety_officer": "网格安全员",
    "responsible": "网格责任人",
}
CATEGORY_LABELS = dict(CATEGORIES)
STATUS_OPTIONS = {str(k): v for k, v in STATUS_LABELS.items()}
SEVERITY_OPTIONS = {str(k): v for k, v in SEVERITY_LABELS.items()}
# The flag filters' choices, from the reporting service's own labels (each flag also carries
# its labels: rule_label, status_label, which the pages show).
FLAG_RULE_LABELS = {str(k): v for k, v in RULE_LABELS.items()}
FLAG_STATUS_LABELS = {str(k): v for k, v in FLAG_STATUS_NAMES.items()}
DECISION_LABELS = {str(k): FLAG_STATUS_NAMES[k] for k in DECISIONS}
# A unit's phase work (阶段工作): the kinds of a ledger entry for the form's choices, the
# unit's own kinds first (entries and statuses carry their labels from the service).
UNIT_WORK_KINDS = ("organisation", "work_plan", "check_ledger", "rectify_plan")
LEDGER_KIND_LABELS = {k: LEDGER_KINDS[k] for k in UNIT_WORK_KINDS} | dict(LEDGER_KINDS)
WORK_STATUS_OPTIONS = {str(k): v for k, v in WORK_STATUS_LABELS.items()}
ACTION_LABELS = {
    "create": "上报",
    "register": "登记评估",
    "report": "报告",
    "start_remediation": "开始整改",
    "rectify": "整改完成",
    "accept": "验收通过",
    "reject": "验收不通过",
    "close": "销号",
    "archive": "备案存档",
    "extend": "延期",
    "overdue": "逾期",
    "major_unresolved": "重大隐患未解决",
    "approve_plan": "批准整改计划",
    "plan_approved": "整改计划已批准",
    "acceptance_overdue": "验收逾期",
    "change_severity": "调整隐患等级",
}


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
}


def evidence_items(evidence: dict) -> list[tuple[str, str]]:
    """A flag's evidence in words (ids and bookkeeping times left out)."""
    items = []
    for key, label in EVIDENCE_LABELS.items():
        value = evidence.get(key)
        if value in (None, ""):
            continue
        if key == "status":
            value = STATUS_OPTIONS.get(str(value), value)
        elif isinstance(value, str) and "T" in value and key.endswith("_at"):
            value = campus_dt(value)
        items.append((label, str(value)))
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
    app.jinja_env.filters["grid_role"] = lambda r: GRID_ROLE_LABELS.get(r, r)
    app.jinja_env.filters["action_label"] = lambda a: ACTION_LABELS.get(a, a)
    app.jinja_env.filters["category_label"] = lambda c: CATEGORY_LABELS.get(c, c)
    app.jinja_env.filters["lead_label"] = lambda c: LEAD_DEPARTMENTS.get(c, c)
    app.jinja_env.filters["flag_rule"] = lambda r: FLAG_RULE_LABELS.get(r, r)
    app.jinja_env.filters["flag_status"] = lambda s: FLAG_STATUS_LABELS.get(s, s)
    app.jinja_env.filters["evidence"] = evidence_items
    app.jinja_env.filters["work_status"] = lambda s: WORK_STATUS_OPTIONS.get(s, s)
