"""The province's rules, pure: who may speak for a college, what counts as newer, and which
college submitted late or not at all for each province due date."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date


class Refused(Exception):
    """A message the province will not apply: it is dead-lettered, changing no figure."""


def check_sender(user_id: str | None, campus_id: str, colleges: Iterable[str]) -> None:
    """Only a college's own broker user speaks for it: RabbitMQ validated ``user_id`` (the
    campus broker refused any other), the data names the same college, and the province
    knows it."""
    if not user_id:
        raise Refused("message without a validated user_id")
    if user_id != campus_id:
        raise Refused(f"user {user_id!r} published for campus {campus_id!r}")
    if campus_id not in set(colleges):
        raise Refused(f"campus {campus_id!r} is not a college of this province")


def newer(sequence: int, last: int | None) -> bool:
    """Apply only what is newer than what the row holds (duplicates and stale ones not)."""
    return last is None or sequence > last


@dataclass(frozen=True)
class DueStatus:
    due_on: date
    on_time: tuple[str, ...]
    late: tuple[str, ...]
    missing: tuple[str, ...]  # no table, and the date has passed
    waiting: tuple[str, ...]  # no table yet, the date not passed


def due_statuses(
    colleges: Iterable[str],
    due_dates: Iterable[date],
    tables: Mapping[tuple[str, date], bool],
    today: date,
) -> list[DueStatus]:
    """Per province due date, the colleges on time, late, missing and not yet due;
    ``tables``: (campus, due date) → late."""
    everyone = sorted(set(colleges))
    out = []
    for due_on in sorted(set(due_dates)):
        sent = {c: tables[(c, due_on)] for c in everyone if (c, due_on) in tables}
        unsent = tuple(c for c in everyone if c not in sent)
        out.append(
            DueStatus(
                due_on,
                tuple(c for c, late in sent.items() if not late),
                tuple(c for c, late in sent.items() if late),
                unsent if today > due_on else (),
                () if today > due_on else unsent,
            )
        )
    return out


def add_up(figures: Iterable[Mapping[str, float | None]]) -> dict[str, float]:
    """Province totals: each count added up over the colleges; rates computed again from
    the sums, never averaged."""
    sums: dict[str, float] = {}
    for one in figures:
        for name, value in one.items():
            if value is None or name.endswith("_rate") or name.startswith("average_"):
                continue
            sums[name] = sums.get(name, 0) + value
    totals: dict[str, float] = {k: int(v) if float(v).is_integer() else v for k, v in sums.items()}
    if sums.get("cumulative_found"):
        totals["cumulative_rate"] = round(sums["cumulative_closed"] / sums["cumulative_found"], 4)
    return totals


# The province's accountability flags on colleges (问责): derived from what the colleges
# sent, every time, so a late table or a hazard closed later clears or changes them.
FLAG_LABELS = {
    "late_table": "逾期报送统计表",
    "missing_table": "未报送统计表",
    "overdue_major_hazard": "重大隐患逾期未整改",
}


@dataclass(frozen=True)
class HazardState:
    campus_id: str
    number: str
    deadline: date | None
    closed_on: date | None


def college_flags(
    statuses: Iterable[DueStatus], hazards: Iterable[HazardState], today: date
) -> list[dict[str, object]]:
    """One flag per college and cause: a table sent late or not at all for a province due
    date; a major hazard open past its deadline (or closed after it, late all the same)."""
    flags: list[dict[str, object]] = []
    for status in statuses:
        for rule, colleges in (("late_table", status.late), ("missing_table", status.missing)):
            flags += [
                {"campus_id": c, "rule": rule, "due_on": status.due_on, "number": None}
                for c in colleges
            ]
    for h in hazards:
        if h.deadline is None:
            continue
        late_close = h.closed_on is not None and h.closed_on > h.deadline
        if late_close or (h.closed_on is None and today > h.deadline):
            flags.append(
                {
                    "campus_id": h.campus_id,
                    "rule": "overdue_major_hazard",
                    "due_on": h.deadline,
                    "number": h.number,
                }
            )
    for flag in flags:
        flag["label"] = FLAG_LABELS[str(flag["rule"])]
    return sorted(flags, key=lambda f: (str(f["campus_id"]), str(f["rule"]), str(f["due_on"])))
