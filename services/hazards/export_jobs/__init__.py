"""Ledger exports too large for a web request, written by the hazards worker.

The flow: ``POST /hazards/exports`` (the ledger export's filters) records a job with the
requester's scope (roles and unit, as the token says) and answers 202 with its Location;
the worker's export thread (``commands.run_forever``, started by ``services.hazards.worker``)
claims the oldest queued job, streams the hazards the requester sees
(``ledger.ledger_query``: the same visibility as the ledger, ``access.visible_to``) from
the database into ``<files_dir>/exports/<job id>.xlsx`` and records its progress every
``ledger_export.PROGRESS_EVERY`` rows; ``GET /hazards/exports/<id>`` shows the status and the
percentage; ``GET /hazards/exports/<id>/file`` hands the file to the requester alone, while
their scope is the one the file was written for. Files and jobs are removed a day after
they finish (``commands.purge``, a sweep). A job whose runner died (no progress for
``STALE_AFTER``) is taken up again.

The synchronous ``GET /hazards/export.xlsx`` stays for small ledgers: above
``CAMPUS_EXPORT_SYNC_ROWS`` rows it answers 409 pointing here instead of holding a web
worker.
"""
