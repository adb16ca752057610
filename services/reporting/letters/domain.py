"""Pure rules of the unsigned-letter flag: whose letter is owed at a deadline, and whether
a signed letter counts for it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol, TypeVar

from shared import periods

# The post whose letter the campaign checks: the place's head (网格负责人) answers for it.
HEAD = "head"


class Phase(Protocol):
    position: int
    deadline: date


P = TypeVar("P", bound=Phase)


def phase_one(phases: Iterable[P]) -> P | None:
    """The campaign's first phase (by its position in the plan)."""
    return min(phases, key=lambda p: (p.position, p.deadline), default=None)


def owes_letter(role: str, effective_from: date, effective_to: date | None, day: date) -> bool:
    """A head holding the post on the deadline owes the letter of the deadline's year."""
    return role == HEAD and periods.held_on(effective_from, effective_to, day)


def signed_in_time(signed_on: date | None, deadline: date) -> bool:
    return signed_on is not None and signed_on <= deadline
