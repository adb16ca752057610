"""Pure rules of joint inspections (协同联动): what a record needs, and what the hazard a
finding opens says and links back to.

A joint inspection is the security office's: it names the outside agencies (a free list:
派出所、消防救援大队、市场监管所…), the day, the places of the grid visited and the members
(the college's and the agencies' people). Each finding at one of those places opens one
hazard in the ledger (source ``joint_inspection``, source_ref the finding's id), through
the ledger's own report command, so its rules (place, category, leads) apply.
"""

from __future__ import annotations

SOURCE = "joint_inspection"


def hazard_description(agencies: list[str], place_name: str, description: str) -> str:
    """What the opened hazard says (the ledger's text must stand alone)."""
    return f"{place_name}协同联动检查（{'、'.join(agencies)}）发现：{description}"
