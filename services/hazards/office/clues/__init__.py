"""The clue ledger (线索摸排与移交), restricted like the psych ledger.

- Only the security office (role ``security_office``) reads or writes clues; every other
  caller gets 403 on every clue endpoint, whatever their other roles.
- The leadership group sees counts only (by kind and status), as the office does.
- Every access to a clue (reads included) is appended to ``clue_access_log`` in the same
  transaction as the access: who, when, which clue, what; never the clue's text.
- Clues never leave these tables: no event is recorded here, nothing is logged, no export
  or statistic of the service includes them (``GET /clues/summary`` is counts only).
"""
