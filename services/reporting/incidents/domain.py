"""Pure rules of reporting's incident statistics: counts per unit and kind, and the
campaign's goal 「无重大安全事故」 (no incident graded 重大 or 特别重大 that happened — the
hazard ledger decides ``major`` and announces it)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

GOAL_LABEL = "无重大安全事故"


@dataclass(frozen=True)
class Row:
    """One group of the projection: a unit's incidents of one kind."""

    unit_code: str
    kind: str
    incidents: int  # near misses included
    near_misses: int
    major: int
    deaths: int
    injuries: int


def tally(rows: Iterable[Row]) -> dict:
    """Totals, per kind, per unit (with its kinds), and the goal: met while no major
    incident happened in the period."""
    fields = ("incidents", "near_misses", "major", "deaths", "injuries")
    totals: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    units: dict[str, dict] = {}
    for row in rows:
        unit = units.setdefault(
            row.unit_code, {"unit_code": row.unit_code, **dict.fromkeys(fields, 0), "by_kind": {}}
        )
        for name in fields:
            value = getattr(row, name)
            totals[name] += value
            unit[name] += value
        unit["by_kind"][row.kind] = unit["by_kind"].get(row.kind, 0) + row.incidents
        by_kind[row.kind] += row.incidents
    return {
        **{name: totals[name] for name in fields},
        "by_kind": dict(sorted(by_kind.items())),
        "by_unit": [units[code] for code in sorted(units)],
        "goal": {
            "label": GOAL_LABEL,
            "major_incidents": totals["major"],
            "met": not totals["major"],
        },
    }
