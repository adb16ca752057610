"""Event types the reporting service consumes: its queue's bindings.

Data only, imported by services.registry to declare every queue's bindings (every
worker declares them all); the service's handlers (services.reporting.handlers.make_handlers)
handle exactly these (tests/contract/test_subscriptions.py)."""

from __future__ import annotations

EVENT_TYPES: frozenset[str] = frozenset(
    {
        # the grid: tokens refused once their person lost access (shared.revocation_store)
        "access.revoked",
        # the grid
        "unit.changed",
        "cell.changed",
        "assignment.changed",
        # every hazard event (shared.events.catalog.HAZARD_EVENT_TYPES): projections and flags
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
        # education: activities and drills
        "activity.scheduled",
        "activity.held",
        "activity.cancelled",
        "drill.completed",
        # the incidents ledger (hazard service): counts, and the finding's flag
        "incident.recorded",
        "incident.responsibility_found",
        # the grid's responsibility letters: the flag for a head without one (issue 16)
        "letter.signed",
        # hazards' emergency plans register: plans counted in the statistics (issue 17)
        "emergency_plan.changed",
    }
)
