"""The API documentation page (Swagger UI at /docs), served by the service itself.

Campus servers often have no internet, so nothing is fetched at run time: Swagger UI's
files come from the pinned ``swagger-ui-bundle`` package, the page and its start-up script
are ours, and every URL in them is relative (``docs/…``, ``openapi.json``), so the page
works on the service's own port and behind nginx's ``/hazards/`` … prefixes alike. The
script is a file, not inline, so the page's Content-Security-Policy allows scripts from
the service only; Swagger's online validator is switched off.
"""

from __future__ import annotations

import html
from pathlib import Path

from flask import Blueprint, Response, current_app, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from shared.auth import public

# Swagger UI's own styles are partly inline (style attributes), its icons data: URIs.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js")
PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-spec-url="openapi.json"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/start.js"></script>
</body>
</html>
"""
START_JS = """window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true
  });
});
"""


def docs_blueprint() -> Blueprint:
    """GET /docs (the page, public as the document it shows) and its files under /docs/."""
    bp = Blueprint("swagger_ui", __name__)

    @bp.get("/docs")
    def page() -> Response:
        title = html.escape(current_app.config.get("API_TITLE", "API"))
        response = Response(PAGE.format(title=title), mimetype="text/html")
        response.headers["Content-Security-Policy"] = DOCS_CSP
        return response

    @bp.get("/docs/start.js")
    @public
    def start() -> Response:
        return Response(START_JS, mimetype="text/javascript")

    for name in ASSETS:
        endpoint = "asset_" + name.replace(".", "_").replace("-", "_")
        bp.add_url_rule(f"/docs/{name}", endpoint, public(_asset(name)))
    return bp


def _asset(name: str):
    def asset() -> Response:
        return send_from_directory(Path(swagger_ui_path), name, max_age=86400)

    return asset
