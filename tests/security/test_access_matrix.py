"""Access control, generated from the four OpenAPI documents and the policy as data.

The matrix: every documented operation × every caller of ``access_policy.CALLERS`` (the
security office, the leadership, a lead department that leads the resource's category or
task (BWC) and one that does not (XCB), JD's and XX's unit managers and grid staff, the
psych centre, an unscoped portal, no token), each sent a request that succeeds for an
allowed caller: JD's resources in the path, a valid body, on a seeded campus put back to
its snapshot after every write (matrix.py). Each cell asserts the status the policy
expects (``access_policy.expected``): the allowed callers the operation's success status,
the others 403, no token 401. On top: nothing is a 5xx, every error is problem+json, and no
2xx received by an outsider carries JD's data (the ids and numbers of JD's hazards, risks,
equipment, inspections, activities, psych records, flags, supervision reports, ledger
entries, or a JD person's unmasked phone). A cell where the code disagrees with the policy
is an xfail(strict) named in ``access_policy.BUGS``; an operation the policy does not cover
fails here.

Then, on a representative set of unit-scoped resources, the other unit's 403 names its
scope; lists of another unit are empty, a person of another unit is seen with a masked
phone, and the psych ledger is the psych centre's alone.

Public paths: exactly /healthz, /readyz, /metrics, /openapi.json and /docs answer without
a token, plus the views reviewed below that authenticate by other means; a new
unauthenticated endpoint, or a route merely starting with a public path, fails here.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass

import openpyxl
import pytest

from services.registry import SERVICES, create_app
from services.reporting.work import api as work_api
from tests.security.access_policy import BUGS, CALLER, CALLERS, OUTSIDERS, POLICY, expected
from tests.security.campus import JD, PNG, SO, XX, Campus
from tests.security.conftest import all_operations, assert_problem, sqlite_campus
from tests.security.matrix import (
    REQUESTS,
    Req,
    Snapshots,
    headers,
    request_kwargs,
    seed_for_matrix,
    url,
)
from tests.support.fixtures import bearer

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
    ("grid", "POST", "/auth/cas"): "CAS sign-in: the CAS ticket is the credential (rate limited)",
    ("education", "GET", "/calendar/<unit_code>.ics"): "calendar feed: ?key= HMAC or a token",
    **{
        (service, "GET", f"/docs/{name}"): "Swagger UI's own files for /docs (shared.docs)"
        for service in SERVICES
        for name in ("start.js", "swagger-ui.css", "swagger-ui-bundle.js")
    },
}


def _url(service: str, template: str, campus: Campus) -> str:
    """A path of the spec ({x}) or of the URL map (<x>, <path:x>) naming JD's resources."""
    values = campus.path_values(service)
    return re.sub(r"[{<](?:\w+:)?(\w+)[}>]", lambda m: values[m.group(1)], template)


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


def secrets_for(caller: str, campus: Campus) -> dict[str, str]:
    """The canaries ``caller`` must never receive: all of them for an outsider (but the
    psych centre's own record); for the lead department of JD's fire hazards (BWC), what
    is neither fire nor its task (equipment, activities, psych, flags) and the phone."""
    secrets = canaries(campus)
    if caller == "psych_centre":
        secrets.pop("psych_jd")
    if caller in OUTSIDERS:
        return secrets
    if caller == "lead_department_own":
        keep = ("equipment_jd", "activity_jd", "psych_jd", "flag_jd", "phone of JD's person")
        return {k: secrets[k] for k in keep}
    return {}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _readable(response) -> str:
    """What a reader of the response sees: JSON and text as they are, a workbook's cells
    (other files — images, PDFs — are not searched)."""
    if response.mimetype == XLSX:
        book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if response.is_json or response.mimetype.startswith("text/"):
        return response.get_data(as_text=True)
    return ""


# -- the matrix -------------------------------------------------------------------------------
@dataclass
class Matrix:
    campus: Campus
    snapshots: Snapshots
    headers: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    root = tmp_path_factory.mktemp("matrix")
    campus = seed_for_matrix(sqlite_campus(root))
    snapshots = Snapshots(campus, root)
    snapshots.take()
    yield Matrix(campus, snapshots, headers(campus))
    campus.close()


@pytest.fixture(scope="module")
def matrix_campus(matrix):
    """The matrix's campus, for the tests that only read (or are refused)."""
    for service in SERVICES:
        matrix.snapshots.restore(service)
    return matrix.campus


def _cell(service: str, method: str, path: str, caller: str):
    bug = BUGS.get((service, method, path, caller))
    marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
    return pytest.param(
        service, method, path, caller, id=f"{service}:{method} {path}|{caller}", marks=marks
    )


CELLS = [_cell(s, m, p, c.name) for s, m, p in all_operations() for c in CALLERS]


@pytest.mark.parametrize(("service", "method", "path", "caller"), CELLS)
def test_matrix(matrix, monkeypatch, service, method, path, caller):
    rule = POLICY.get((service, method, path))
    assert rule is not None, f"{service} {method} {path}: no rule in access_policy.POLICY"
    req = REQUESTS.get((service, method, path), Req())
    campus = matrix.campus
    matrix.snapshots.restore(service)
    if req.clock is not None:
        monkeypatch.setattr(work_api, "now", lambda: req.clock)
    target = url(campus, service, path, req)
    response = campus.call(
        service, method, target, matrix.headers[caller], **request_kwargs(campus, req)
    )
    matrix.snapshots.dirty.add(service)  # reads may write too (sign-in attempts, psych log)
    want = expected(rule, CALLER[caller])
    body = response.get_data().decode("utf-8", "replace")
    where = (caller, method, target, response.status_code, body[:300])
    assert response.status_code < 500, where
    if response.status_code >= 400:
        assert_problem(response)
    if response.status_code == 401 and CALLER[caller].role is None:
        assert response.headers["WWW-Authenticate"] == "Bearer", where
    assert response.status_code == want, (f"expected {want}: {rule.why}", *where)
    if response.status_code < 300:
        text = _readable(response)
        leaked = {k for k, v in secrets_for(caller, campus).items() if v in text}
        assert not leaked, (where[:4], leaked)


def test_each_cell_starts_from_the_seeded_campus(matrix):
    """A write is undone before the next cell of its service: the same unit twice is 201
    both times, where without the snapshot it would be a 409."""
    body = {"code": "ZY", "name": "测试学院", "kind": "college"}
    for _ in range(2):
        matrix.snapshots.restore("grid")
        matrix.campus.call("grid", "POST", "/units", SO, expect=201, json=body)
        matrix.snapshots.dirty.add("grid")
    matrix.campus.call("grid", "POST", "/units", SO, expect=409, json=body)


def test_the_policy_covers_every_documented_operation():
    documented = set(all_operations())
    assert documented - set(POLICY) == set(), "documented operations without a rule"
    assert set(POLICY) - documented == set(), "rules of operations no longer documented"


def test_every_write_is_sent_a_body_and_every_request_a_documented_operation():
    documented = set(all_operations())
    assert set(REQUESTS) <= documented, set(REQUESTS) - documented
    requests = {op: REQUESTS.get(op, Req()) for op in documented if op[1] != "GET"}
    bare = {op for op, req in requests.items() if req.json is None and req.upload is None}
    assert bare == set(), bare


def test_known_bugs_are_cells_of_the_matrix():
    for service, method, path, caller in BUGS:
        assert (service, method, path) in POLICY and caller in CALLER, (method, path, caller)


def test_every_rule_allows_someone():
    """No rule is vacuous: each operation has a caller with a token that it serves."""
    for key, rule in POLICY.items():
        answers = {expected(rule, c) for c in CALLERS if c.role is not None}
        assert rule.ok in answers, key


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
    detail = other.get_json()["detail"]
    assert "单位" in detail or "范围" in detail, detail  # names its scope, in Chinese
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
