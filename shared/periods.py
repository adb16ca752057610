"""Half-open periods of days: held from ``start`` until ``end``, the end day excluded.

When a role changes hands on day D, the old period ends on D and the new one starts on D,
so on D the new holder holds it: no gap, no overlap. ``end`` None means still held. The
grid's assignments and their projection in other services both answer "held on that day?"
with ``held_on``.
"""

from __future__ import annotations

from datetime import date


def held_on(start: date, end: date | None, day: date) -> bool:
    """The period [start, end) covers ``day``."""
    return start <= day and (end is None or day < end)


def can_end_on(start: date, end: date) -> bool:
    """A period ends after it starts (ending on its first day would hold it no day)."""
    return end > start
