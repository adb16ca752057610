"""Hazard statistics from the local projections (never by calling another service):
``queries`` (the measures, the period table, 周整改), ``schemas``, ``api`` (/statistics)
and ``exports`` (every statistics spreadsheet, the unit's submitted table included)."""
