"""The web shell (issue 14 item 11): API docs that work without internet, security headers
on every API response, and uploaded files served as attachments unless the console shows
them inline.

- /docs on each service loads Swagger UI from the service itself (the pinned
  swagger-ui-bundle package): the page names no other host, every file it references is
  served without a token, and its policy runs no inline script. It once loaded everything
  from a public CDN (without SRI), which a campus server without internet cannot reach.
- Every API response (JSON, problem, file) carries ``X-Content-Type-Options: nosniff`` and
  a Content-Security-Policy with ``frame-ancestors 'none'``.
- A stored PDF is ``Content-Disposition: attachment``; a photo stays inline (the console's
  <img>). Both were inline before: a browser opened the PDF as a page of the API's origin.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urljoin

import pytest

from services.registry import SERVICES
from tests.security.campus import JD, PNG, SO
from tests.security.conftest import assert_problem

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REFERENCE = re.compile(r'(?:src|href)="([^"]+)"')


def directives(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("service", SERVICES)
def test_the_docs_page_loads_everything_from_the_service_itself(campus, service):
    page = campus.call(service, "GET", "/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "//" not in text, text  # no http://, https:// nor a scheme-relative //host
    references = REFERENCE.findall(text)
    assert any(r.endswith("swagger-ui-bundle.js") for r in references), references
    assert any(r.endswith("swagger-ui.css") for r in references), references
    for reference in references:  # relative: also right behind nginx's /hazards/ prefix
        assert not reference.startswith("/"), reference
        served = campus.call(service, "GET", urljoin("/docs", reference))  # no token
        assert served.status_code == 200, (reference, served.status_code)
        assert served.data, reference
        expected = "text/css" if reference.endswith(".css") else "text/javascript"
        assert served.mimetype == expected, (reference, served.mimetype)
    start = campus.call(service, "GET", "/docs/start.js").get_data(as_text=True)
    assert "http" not in start and "validatorUrl: null" in start
    assert 'data-spec-url="openapi.json"' in text
    assert campus.call(service, "GET", "/openapi.json").status_code == 200


@pytest.mark.parametrize("service", SERVICES)
def test_the_docs_page_runs_no_inline_script(campus, service):
    page = campus.call(service, "GET", "/docs")
    policy = directives(page)
    assert policy["script-src"] == "script-src 'self'", policy
    assert policy["frame-ancestors"] == "frame-ancestors 'none'", policy
    assert "connect-src 'self'" in policy.values()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.get_data(as_text=True), re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)


def _responses(campus) -> dict[str, object]:
    hazard = campus.ids["hazard_jd"]
    return {
        "json": campus.call("hazards", "GET", f"/hazards/{hazard}", SO),
        "list": campus.call("grid", "GET", "/units", SO),
        "problem 401": campus.call("education", "GET", "/activities"),
        "problem 404": campus.call("reporting", "GET", "/no-such-path", SO),
        "file": campus.call("hazards", "GET", f"/hazards/{hazard}/notice.pdf", SO),
        "openapi": campus.call("grid", "GET", "/openapi.json"),
    }


def test_every_api_response_carries_the_security_headers(campus):
    for what, response in _responses(campus).items():
        assert response.status_code < 500, what
        assert response.headers.get("X-Content-Type-Options") == "nosniff", what
        policy = directives(response)
        assert policy.get("frame-ancestors") == "frame-ancestors 'none'", (what, policy)
        assert policy.get("default-src") == "default-src 'none'", (what, policy)
        assert response.headers.get("X-Frame-Options") == "DENY", what


def _attach(campus, content: bytes, name: str):
    hazard = campus.ids["hazard_jd"]
    response = campus.call(
        "hazards",
        "POST",
        f"/hazards/{hazard}/attachments",
        JD,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return campus.call(
        "hazards", "GET", f"/hazards/{hazard}/attachments/{response.get_json()['id']}", JD
    )


def test_an_uploaded_pdf_is_served_as_an_attachment(campus):
    download = _attach(campus, PDF, "整改报告.pdf")
    assert download.status_code == 200 and download.data == PDF
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;"), disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_an_uploaded_photo_stays_inline_for_the_console(campus):
    download = _attach(campus, PNG, "现场照片.png")
    assert download.status_code == 200 and download.mimetype == "image/png"
    assert download.headers["Content-Disposition"].startswith("inline;")


def test_only_the_files_the_page_needs_are_served(campus):
    for path in ("/docs/index.html", "/docs/swagger-ui.js.map", "/docs/package.json"):
        assert_problem(campus.call("grid", "GET", path), 404)
