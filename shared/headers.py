"""Security headers, one home for the four APIs and the console.

Every response says ``X-Content-Type-Options: nosniff`` (a browser never guesses a script
out of a download) and ``Referrer-Policy: same-origin``. A Content-Security-Policy with
``frame-ancestors 'none'`` (and ``X-Frame-Options: DENY`` for older browsers) goes on the
APIs' every response — they are JSON and files, nothing a page should load or frame — and
on the console's pages; a response that set its own policy (the API docs page, the
console's printable roster) keeps it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response

# The APIs serve no page (but /docs, which sets its own): nothing to load, run or frame.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def security_headers(csp: str, *, pages_only: bool = False) -> Callable[[Response], Response]:
    """An ``after_request`` hook adding the headers; with ``pages_only`` the policy goes on
    HTML responses only (the console's downloads keep what the service sent)."""

    def add(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if pages_only and response.mimetype != "text/html":
            return response
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return add
