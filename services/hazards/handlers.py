"""Events the hazard ledger consumes: the grid, for routing and responsibility."""

from __future__ import annotations

from shared.events.consumer import Handler
from shared.grid_projection import GRID_EVENT_HANDLERS

EVENT_HANDLERS: dict[str, Handler] = {**GRID_EVENT_HANDLERS}
