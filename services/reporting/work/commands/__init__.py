"""Use cases of the campaign's own work; each runs in the caller's transaction:
``ledger`` (entries and their files), ``phase_work`` (submit, confirm, return),
``progress`` (the matrix), ``supervision`` (reports), ``phase_flags`` (the sweep and the
flag of late work); ``lookups`` are the reads they share."""
