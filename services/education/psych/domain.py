"""Pure rules of the psych ledger: its vocabulary, which fields a change may touch, the
sensitive field names, and the counts per unit that everyone outside the centre sees."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

RISK_LEVELS = {"high": "高风险", "medium": "中风险", "low": "低风险"}
PSYCH_STATUSES = {"following": "跟踪关注", "referred": "转介治疗", "closed": "解除关注"}
CLOSED = "closed"
# What the access log records (action): each read or change of a record.
ACCESS_ACTIONS = {
    "list": "列表查看",
    "read": "查看",
    "create": "新建",
    "update": "修改",
    "intervene": "记录干预",
}

# What PATCH /psych/records/{id} may change (the student's identity stays as entered).
UPDATABLE = ("risk_level", "status", "next_follow_up_on", "screening", "class_name", "unit_code")

# Field names of a psych record: none of them may ever travel in an event (checked by tests).
PSYCH_RECORD_FIELDS = frozenset(
    {
        "student_ref",
        "student_name",
        "class_name",
        "risk_level",
        "screening",
        "interventions",
        "intervention",
        "measure",
        "next_follow_up_on",
        "follow_up_dates",
        "psych_status",
        "notes",
    }
)


def counts_per_unit(rows: Iterable[tuple[str, str, str, int]]) -> list[dict[str, Any]]:
    """(unit, risk level, status, count) rows as one summary per unit, by unit code: the
    total, the open (not closed) records, open records by risk level, all by status."""
    units: dict[str, dict[str, Any]] = {}
    for unit, risk, status, count in rows:
        row = units.setdefault(
            unit,
            {
                "unit_code": unit,
                "total": 0,
                "open": 0,
                "by_risk_level": dict.fromkeys(RISK_LEVELS, 0),
                "by_status": dict.fromkeys(PSYCH_STATUSES, 0),
            },
        )
        row["total"] += count
        if status != CLOSED:
            row["open"] += count
            row["by_risk_level"][risk] = row["by_risk_level"].get(risk, 0) + count
        row["by_status"][status] = row["by_status"].get(status, 0) + count
    return [units[u] for u in sorted(units)]
