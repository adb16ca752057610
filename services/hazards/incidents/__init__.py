"""The incidents ledger (安全事故/事件台账, issue 16): incidents and near misses at a place of
the grid, their report chain, investigation, the hazards they revealed (opened in the hazard
ledger, linked both ways) and the finding of responsibility (责任认定), which reporting turns
into an accountability flag. Shaped like the registers: ``domain`` (pure rules), ``access``,
``commands``, ``models``, ``schemas``, ``api``."""
