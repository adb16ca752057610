"""Pure rules of reporting: how projections accept events and how counts are formed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def is_newer(incoming_sequence: int, stored_sequence: int | None) -> bool:
    """An event changes a projection only if it is newer than what the projection holds.

    Duplicates (equal sequence) and stale, reordered events (lower sequence) are ignored,
    so any delivery order converges on the state of the highest sequence.
    """
    return stored_sequence is None or incoming_sequence > stored_sequence


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
