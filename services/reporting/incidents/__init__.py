"""Incidents as reporting sees them (issue 16): a projection of ``incident.recorded`` for
the statistics (incidents per unit and kind, the campaign's goal 「无重大安全事故」), and the
accountability flag a finding of responsibility (``incident.responsibility_found``) raises.
The hazard ledger keeps the incidents themselves; no text of theirs ever reaches here."""
