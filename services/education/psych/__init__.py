"""The psychological screening follow-up ledger (动态教育防范台账), restricted.

- Only the psychological health centre (role ``psych_centre``) reads or writes records;
  every other caller gets 403 on every record endpoint, whatever their other roles.
- Everyone else sees aggregate counts per unit (their own unit, or all for global roles).
- Every access to a record (reads included) is appended to ``psych_access_log`` in the
  same transaction as the access: who, when, which record, what.
- Records never leave this package's tables: no event is recorded here, nothing is logged,
  and no list export or other endpoint of the service includes them.
"""
