"""Pure rules the office's registers share: the id of a finding (so the same finding
posted twice is one, and opens one hazard), and lists of places and names."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from services.hazards.registers.domain import invalid

# Fixed namespace: a finding's id is derived from what it says, the same on every server.
_FINDINGS = uuid.UUID("6f1d2c8e-3b7a-4c55-9a0e-2d4b8f7e1a36")


def finding_id(parent_id: str, cell_id: str, category: str, description: str) -> str:
    """The id of a finding of an inspection or a patrol: the same parent, place, category
    and words (spaces trimmed) give the same id, which is also its hazard's source_ref."""
    key = "\x1f".join((parent_id, cell_id, category, " ".join(description.split())))
    return str(uuid.uuid5(_FINDINGS, key))


def check_no_repeats(values: Sequence[str], field: str, what: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise invalid(f"{field}.{index}", f"{what}重复：{value}")
        seen.add(value)


def check_place_listed(cell_id: str, places: Sequence[str], field: str, where: str) -> None:
    if cell_id not in places:
        raise invalid(field, f"不是{where}的地点")
