"""Access control, generated from the four OpenAPI documents.

The matrix: every documented operation × {security_office, leadership, lead_department
(BWC), unit_manager of JD (own unit), unit_manager of XX (other unit), grid_staff of JD,
psych_centre, portal, no token}, on a campus holding JD's and XX's data, with the path
naming JD's resources. Without a token every operation is a 401 problem (only the
reviewed public views below answer otherwise); with one, nothing is a 5xx and every error
is problem+json; and no 2xx that XX's manager receives carries JD's data (the ids and
numbers of JD's hazards, risks, equipment, inspections, activities, psych records, flags,
supervision reports, ledger entries, or a JD person's unmasked phone).

Scope, on a representative set of unit-scoped resources: the other unit gets 403 where
the own unit gets 2xx (a hazard and its attachment, notice and history; a risk point,
equipment, an inspection; an activity and the unit's calendar feed; a flag, the unit's
statistics table and statistics, a supervision report; grid writes: a person, a cell, an
assignment, the roster and its import). Grid reads are campus-wide by design (the tree
and its people are public within the campus) but a person's phone is masked outside
their unit. The psych ledger is the psych centre's alone.

Public paths: exactly /healthz, /readyz, /metrics, /openapi.json and /docs answer without
a token, plus the views reviewed below that authenticate by other means; a new
unauthenticated endpoint, or a route merely starting with a public path, fails here.
"""

from __future__ import annotations

import io
import json
import re

import pytest

from services.registry import SERVICES, create_app
from shared.testing.fixtures import bearer
from tests.security.campus import JD, PNG, SO, XX, Campus
from tests.security.conftest import (
    all_operations,
    assert_problem,
    companions,
    operations,
    sqlite_campus,
)

ROLES = {
    "security_office": SO,
    "leadership": bearer("leadership", sub="leader"),
    "lead_department": bearer("lead_department", unit="BWC", sub="bwc"),
    "unit_manager_own": JD,
    "unit_manager_other": XX,
    "grid_staff": bearer("grid_staff", unit="JD", sub="staff-jd"),
    "psych_centre": bearer("psych_centre", unit="XLZX", sub="psych"),
    "portal": bearer("portal", sub="portal"),
    "no_token": {},
}
INFRASTRUCTURE = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"}
# Views marked @public: reachable without a bearer token because they check another
# credential themselves. Reviewed one by one; anything new must be added here on purpose.
REVIEWED_PUBLIC = {
    ("grid", "POST", "/auth/login"): "password sign-in (rate limited)",
    ("education", "GET", "/calendar/<unit_code>.ics"): "calendar feed: ?key= HMAC or a token",
}


def _url(service: str, template: str, campus: Campus) -> str:
    """A path of the spec ({x}) or of the URL map (<x>, <path:x>) naming JD's resources."""
    values = campus.path_values(service)
    return re.sub(r"[{<](?:\w+:)?(\w+)[}>]", lambda m: values[m.group(1)], template)


def _request_kwargs(service: str, path: str, operation: dict, campus: Campus) -> dict:
    """Valid companions for required query parameters; an empty body for writes."""
    kwargs: dict = {}
    query = companions(operation.get("parameters", []), "", campus)
    if path == "/rosters":
        query["unit_code"] = "JD"
    if query:
        kwargs["query_string"] = query
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        kwargs.update(data={}, content_type="multipart/form-data")
    elif content:
        kwargs["json"] = {}
    return kwargs


def canaries(campus: Campus) -> dict[str, str]:
    """What only JD may see: the ids and numbers of JD's records, a JD person's phone."""
    keys = (
        "hazard_jd",
        "hazard_number_jd",
        "risk_jd",
        "equipment_jd",
        "inspection_jd",
        "activity_jd",
        "psych_jd",
        "flag_jd",
        "supervision_jd",
        "ledger_jd",
        "extension_jd",
        "attachment_jd",
    )
    return {**{k: campus.ids[k] for k in keys}, "phone of JD's person": "13812345678"}


# -- the matrix -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def matrix_campus(tmp_path_factory):
    campus = sqlite_campus(tmp_path_factory.mktemp("matrix"))
    yield campus
    campus.close()


@pytest.mark.parametrize(
    ("service", "method", "path"),
    [pytest.param(s, m, p, id=f"{s}:{m} {p}") for s, m, p in all_operations()],
)
def test_matrix(matrix_campus, service, method, path):
    operation = next(o for m, p, o in operations(service) if (m, p) == (method, path))
    url = _url(service, path, matrix_campus)
    kwargs = _request_kwargs(service, path, operation, matrix_campus)
    flask_path = re.sub(r"{(\w+)}", r"<\1>", path)
    public = (service, method, flask_path) in REVIEWED_PUBLIC
    secrets = canaries(matrix_campus)
    for role, headers in ROLES.items():
        response = matrix_campus.call(service, method, url, headers, **kwargs)
        where = (role, method, url, response.status_code)
        assert response.status_code < 500, (*where, response.get_data(as_text=True)[:300])
        if response.status_code >= 400:
            assert_problem(response)
        if role == "no_token" and not public:
            assert_problem(response, 401)
            assert response.headers["WWW-Authenticate"] == "Bearer"
        if role == "unit_manager_other" and response.status_code < 300 and method == "GET":
            text = response.get_data(as_text=True) if response.is_json else ""
            leaked = {name for name, value in secrets.items() if value in text}
            assert not leaked, (where, leaked)


# -- public paths ---------------------------------------------------------------------------
def _routes(app) -> list[tuple[str, str]]:
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def test_only_the_reviewed_paths_answer_without_a_token(matrix_campus):
    reachable, expected = set(), set()
    for service in SERVICES:
        app = matrix_campus.apps[service]
        for method, rule in _routes(app):
            kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            url = _url(service, rule, matrix_campus)
            response = matrix_campus.call(service, method, url, None, **kwargs)
            if response.status_code != 401:
                reachable.add((service, method, rule))
            if rule in INFRASTRUCTURE:
                expected.add((service, method, rule))
        expected |= {key for key in REVIEWED_PUBLIC if key[0] == service} & {
            (service, m, r) for m, r in _routes(app)
        }
    # the .ics feed is public-marked but refuses a request carrying neither key nor token
    expected.discard(("education", "GET", "/calendar/<unit_code>.ics"))
    assert reachable == expected


def test_views_marked_public_are_exactly_the_reviewed_ones(matrix_campus):
    marked = set()
    for service in SERVICES:
        app = matrix_campus.apps[service]
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            if getattr(view, "campus_public", False):
                marked |= {(service, m, rule.rule) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert marked <= set(REVIEWED_PUBLIC), marked - set(REVIEWED_PUBLIC)
    assert ("education", "GET", "/calendar/<unit_code>.ics") in marked


def test_the_calendar_feed_still_needs_its_key_or_a_token(matrix_campus):
    feed = "/calendar/JD.ics"
    assert_problem(matrix_campus.call("education", "GET", feed), 401)
    wrong = matrix_campus.call("education", "GET", feed, query_string={"key": "0" * 32})
    assert_problem(wrong, 403)
    url = matrix_campus.json("education", "GET", "/calendar/JD/subscription", headers=JD)["url"]
    key = url.split("key=", 1)[1]
    other_unit = matrix_campus.call(
        "education", "GET", "/calendar/XX.ics", query_string={"key": key}
    )
    assert_problem(other_unit, 403)
    own = matrix_campus.call("education", "GET", feed, query_string={"key": key})
    assert own.status_code == 200 and own.mimetype == "text/calendar"


@pytest.mark.parametrize("path", ["/metrics-export", "/docs-internal", "/healthz/details"])
def test_a_route_that_only_starts_like_a_public_path_needs_a_token(path):
    app = create_app(
        "grid", {"database_url": "sqlite://", "amqp_url": "amqp://guest:guest@127.0.0.1:1/%2F"}
    )
    app.add_url_rule(path, path.strip("/"), lambda: "internal")
    assert_problem(app.test_client().get(path), 401)


# -- scope on representative unit-scoped resources -----------------------------------------
@pytest.fixture(scope="module")
def scope_campus(tmp_path_factory):
    campus = sqlite_campus(tmp_path_factory.mktemp("scope"))
    yield campus
    campus.close()


def _csv_roster() -> bytes:
    return "姓名,联系电话,网格编码,角色\n王芳,13700001111,JD-B1,网格安全员\n".encode("utf-8-sig")


# (name, service, method, path with {ids}, request kwargs, own status, other status)
SCOPED = [
    ("hazard", "hazards", "GET", "/hazards/{hazard_jd}", {}, 200, 403),
    ("hazard history", "hazards", "GET", "/hazards/{hazard_jd}/history", {}, 200, 403),
    ("hazard notice", "hazards", "GET", "/hazards/{hazard_jd}/notice.pdf", {}, 200, 403),
    (
        "hazard attachment",
        "hazards",
        "GET",
        "/hazards/{hazard_jd}/attachments/{attachment_jd}",
        {},
        200,
        403,
    ),
    (
        "hazard upload",
        "hazards",
        "POST",
        "/hazards/{hazard_jd}/attachments",
        {"upload": ("photo.png", PNG)},
        201,
        403,
    ),
    ("hazard step", "hazards", "POST", "/hazards/{hazard_jd}/report", {"json": {}}, 200, 403),
    ("risk point", "hazards", "GET", "/risks/{risk_jd}", {}, 200, 403),
    ("equipment", "hazards", "GET", "/equipment/{equipment_jd}", {}, 200, 403),
    ("inspection", "hazards", "GET", "/inspections/{inspection_jd}", {}, 200, 403),
    ("activity", "education", "GET", "/activities/{activity_jd}", {}, 200, 403),
    ("calendar feed", "education", "GET", "/calendar/JD.ics", {}, 200, 403),
    ("calendar key", "education", "GET", "/calendar/JD/subscription", {}, 200, 403),
    ("flag", "reporting", "GET", "/flags/{flag_jd}", {}, 200, 403),
    ("flags of JD", "reporting", "GET", "/flags?unit_code=JD", {}, 200, 403),
    ("statistics of JD", "reporting", "GET", "/statistics?unit_code=JD", {}, 200, 403),
    (
        "statistics table",
        "reporting",
        "GET",
        "/campaigns/{campaign}/dues/{due}/table?unit_code=JD",
        {},
        200,
        403,
    ),
    (
        "supervision report",
        "reporting",
        "GET",
        "/campaigns/{campaign}/supervision/{supervision_jd}",
        {},
        200,
        403,
    ),
    (
        "submission",
        "reporting",
        "POST",
        "/campaigns/{campaign}/dues/{due}/submissions",
        {"json": {"unit_code": "JD"}},
        201,
        403,
    ),
    (
        "person",
        "grid",
        "PATCH",
        "/people/{person_jd}",
        {"json": {"name": "JD张伟伟"}},
        200,
        403,
    ),
    ("cell", "grid", "PATCH", "/cells/{cell_jd}", {"json": {"location": "东区"}}, 200, 403),
    (
        "assignment",
        "grid",
        "POST",
        "/assignments",
        {
            "json": {
                "cell_id": "{cell_jd}",
                "person_id": "{person_jd}",
                "role": "safety_officer",
                "effective_from": "2021-10-01",
            }
        },
        201,
        403,
    ),
    (
        "end assignment",
        "grid",
        "POST",
        "/assignments/{assignment_jd}/end",
        {"json": {"effective_to": "2031-01-01"}},
        200,
        403,
    ),
    ("roster", "grid", "GET", "/rosters?unit_code=JD", {}, 200, 403),
    (
        "roster import",
        "grid",
        "POST",
        "/units/JD/roster-import",
        {"upload": ("roster.csv", _csv_roster())},
        200,
        403,
    ),
]


def _fill(value, ids: dict[str, str]):
    if isinstance(value, str):
        return re.sub(r"{(\w+)}", lambda m: ids[m.group(1)], value)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _send(campus: Campus, case, headers):
    _, service, method, path, kwargs, _, _ = case
    kwargs = _fill(kwargs, campus.ids)
    upload = kwargs.pop("upload", None)
    if upload:
        name, content = upload
        kwargs.update(
            data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
        )
    return campus.call(service, method, _fill(path, campus.ids), headers, **kwargs)


@pytest.mark.parametrize("case", SCOPED, ids=[c[0] for c in SCOPED])
def test_other_unit_is_refused_where_own_unit_is_served(scope_campus, case):
    *_, own_status, other_status = case
    other = _send(scope_campus, case, XX)  # first: a refused request changes nothing
    assert_problem(other, other_status)
    assert "unit" in other.get_json()["detail"] or "scope" in other.get_json()["detail"]
    own = _send(scope_campus, case, JD)
    assert own.status_code == own_status, own.get_data(as_text=True)[:300]


def test_lists_of_another_unit_are_empty_not_widened(scope_campus):
    for service, path in (
        ("hazards", "/hazards?unit_code=JD"),
        ("hazards", "/risks?unit_code=JD"),
        ("hazards", "/equipment?unit_code=JD"),
        ("hazards", "/inspections?unit_code=JD"),
        ("education", "/activities?unit_code=JD"),
    ):
        assert scope_campus.json(service, "GET", path, headers=XX) == [], path
        assert scope_campus.json(service, "GET", path, headers=JD), path


def test_a_person_of_another_unit_is_seen_with_a_masked_phone(scope_campus):
    path = f"/people/{scope_campus.ids['person_jd']}"
    own = scope_campus.json("grid", "GET", path, headers=JD)
    other = scope_campus.json("grid", "GET", path, headers=XX)
    assert own["phone"] == "13812345678"
    assert other["phone"] == "138****5678" and other["name"] == own["name"]
    listed = scope_campus.json("grid", "GET", "/people?unit_code=JD", headers=XX)
    assert listed and all("*" in p["phone"] for p in listed)
    assert "13812345678" not in json.dumps(listed)


def test_the_psych_ledger_is_the_psych_centres_alone(scope_campus):
    path = f"/psych/records/{scope_campus.ids['psych_jd']}"
    for role in ("security_office", "leadership", "unit_manager_own", "grid_staff", "portal"):
        assert_problem(scope_campus.call("education", "GET", path, ROLES[role]), 403)
    record = scope_campus.json("education", "GET", path, headers=ROLES["psych_centre"])
    assert record["unit_code"] == "JD"
