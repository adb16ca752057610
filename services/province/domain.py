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
