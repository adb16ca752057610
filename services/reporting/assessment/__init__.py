"""The year-end assessment (年终考核): ``domain`` (the scoring, pure), ``commands`` (the
view of a campaign), ``schemas``, ``api`` and ``exports`` (the .xlsx)."""
