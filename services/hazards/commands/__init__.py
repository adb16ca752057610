"""Use cases of the hazard ledger. Each runs inside the caller's unit of work and writes
its outbox event in that same transaction: the ledger and its announcements never
disagree.

- ``report``: 排查发现 (numbered by ``numbering``), also under an Idempotency-Key.
- ``loop``: one step along the closed loop, its effect from ``domain.EFFECTS``.
- ``severity``: re-grading, never silent.
- ``plan``: approving a rectification plan (整改计划).
- ``extensions``: asking for and deciding a later deadline (延期申请).
- ``lateness``: announcing lateness once per cause, and the sweep.
- ``events``: the history row and the hazard.* event every change writes.

The use cases are re-exported here: ``from services.hazards import commands;
commands.transition(...)``.
"""

from services.hazards.commands.common import SYSTEM, get_hazard, policy_of
from services.hazards.commands.events import SOURCE, hazard_state
from services.hazards.commands.extensions import decide_extension, request_extension
from services.hazards.commands.lateness import announce_lateness, sweep
from services.hazards.commands.loop import close_hazard, transition
from services.hazards.commands.plan import approve_plan
from services.hazards.commands.report import UnknownCell, create_hazard, create_once
from services.hazards.commands.severity import change_severity

__all__ = [
    "SOURCE",
    "SYSTEM",
    "UnknownCell",
    "announce_lateness",
    "approve_plan",
    "change_severity",
    "close_hazard",
    "create_hazard",
    "create_once",
    "decide_extension",
    "get_hazard",
    "hazard_state",
    "policy_of",
    "request_extension",
    "sweep",
    "transition",
]
