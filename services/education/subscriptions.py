"""Event types the education service consumes: its queue's bindings.

Data only, imported by services.registry to declare every queue's bindings (every
worker declares them all); the service's handlers (services.education.handlers.make_handlers)
handle exactly these (tests/contract/test_subscriptions.py)."""

from __future__ import annotations

EVENT_TYPES: frozenset[str] = frozenset(
    {
        # the grid: tokens refused once their person lost access (shared.revocation_store)
        "access.revoked",
        # the grid: units for coverage, places for drill problems
        "unit.changed",
        "cell.changed",
        "assignment.changed",
        # every hazard event (shared.events.catalog.HAZARD_EVENT_TYPES): a drill shows the
        # hazard numbers its problems became
        "hazard.created",
        "hazard.registered",
        "hazard.reported",
        "hazard.remediation_started",
        "hazard.rectified",
        "hazard.accepted",
        "hazard.rejected",
        "hazard.closed",
        "hazard.archived",
        "hazard.deadline_extended",
        "hazard.overdue",
        "hazard.acceptance_overdue",
        "hazard.major_unresolved",
        "hazard.plan_approved",
        "hazard.severity_changed",
        # hazards' emergency plans: a drill against a withdrawn plan is refused (issue 17)
        "emergency_plan.changed",
    }
)
