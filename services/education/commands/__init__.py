"""Use cases of the education service, one module per area: activities (scheduling),
attendance (enrolment and check-in), drills, themed dates, coverage. Each runs in the
caller's unit of work and records its events in the same transaction.

Events: ``activity.scheduled`` / ``activity.held`` / ``activity.cancelled`` and
``drill.completed`` carry subject = the activity id and sequence = the activity's version
(one increment per event); ``drill.problem_found`` carries subject = the problem id and
sequence 1. None of them carries personal data.

Who may do what: services.education.access (the psych ledger: services.education.psych).
"""

from services.education.commands.themed_dates import load_seed_themed_dates

__all__ = ["load_seed_themed_dates"]  # the CLI's seed command
