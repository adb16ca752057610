"""Pure rules of reporting: how statistics are formed from projected rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def tally(rows: Iterable[tuple[str, str, int]]) -> dict:
    """Counts by unit and by status from (unit_code, status, count) rows."""
    by_unit: dict[str, Counter[str]] = {}
    by_status: Counter[str] = Counter()
    for unit_code, status, count in rows:
        by_unit.setdefault(unit_code, Counter())[status] += count
        by_status[status] += count
    return {
        "total": sum(by_status.values()),
        "by_status": dict(sorted(by_status.items())),
        "by_unit": {
            unit: {"total": sum(counts.values()), "by_status": dict(sorted(counts.items()))}
            for unit, counts in sorted(by_unit.items())
        },
    }
