"""Event types the grid service consumes: none (it is the source of the grid's events).

Data only, imported by services.registry to declare every queue's bindings; the
service's handlers (services.grid.handlers.make_handlers) handle exactly these."""

from __future__ import annotations

EVENT_TYPES: frozenset[str] = frozenset()
