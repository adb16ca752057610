"""Hostile input: uploads and filters.

Uploads (hazard attachments ``POST /hazards/{id}/attachments`` and the grid's roster
import ``POST /units/{code}/roster-import``): path-traversal file names are kept as a bare
base name and nothing is written outside the files directory; oversized files are a 413
and mislabelled ones (name, Content-Type and bytes disagree) a 415, with nothing stored.

Filters and search: every free-text query parameter of every list endpoint of the four
OpenAPI documents gets SQL-injection strings, LIKE wildcards, a backslash, NUL, unicode
and a 5,000-character string. The answer is a 422 problem, or a 200 equal to the answer
for an innocuous value that matches nothing (so a wildcard never widens a filter); never
a 5xx, and every table is still there afterwards. The text search finds a description
made of those very strings exactly. Filters run on SQLite and on PostgreSQL (production).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from services.hazards.models import Attachment
from services.hazards.registers.inspections.commands import seed_checklists
from services.registry import SERVICES
from tests.security.campus import JD, PNG, SO, XX, Campus
from tests.security.conftest import assert_problem, companions, operations, sqlite_campus

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
HOSTILE = [
    "' OR 1=1 --",
    "' OR '1'='1",
    '"; DROP TABLE hazards; --',
    "%",
    "_",
    "%_%",
    "\\",
    "\\%",
    "*",
    "\x00",
    "a\x00b",
    "𝐓𝐡𝐞 ‮ü\u200b",
    "灭火器%",
    "x" * 5000,
]
NOTHING = "zz-no-such-value"


# -- uploads --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def upload_campus(tmp_path_factory):
    """Uploads are limited to 4 KiB here so that "oversized" stays cheap."""
    campus = sqlite_campus(tmp_path_factory.mktemp("uploads"), upload_max_bytes=4096)
    yield campus
    campus.close()


def attach(campus: Campus, content: bytes, name: str, content_type: str | None = None):
    file = (
        (io.BytesIO(content), name, content_type) if content_type else (io.BytesIO(content), name)
    )
    return campus.call(
        "hazards",
        "POST",
        f"/hazards/{campus.ids['hazard_jd']}/attachments",
        JD,
        data={"file": file},
        content_type="multipart/form-data",
    )


def tree(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def stored_attachments(campus: Campus) -> list[Attachment]:
    with campus.factory("hazards")() as session:
        return list(session.scalars(select(Attachment).order_by(Attachment.uploaded_at)))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("../../etc/passwd.jpg", JPEG, "passwd.jpg"),
        ("..\\..\\x.png", PNG, "x.png"),
        ("/etc/cron.d/evil.png", PNG, "evil.png"),
        ("C:\\Windows\\System32\\evil.png", PNG, "evil.png"),
        ("....//....//deep.png", PNG, "deep.png"),
        ("../files/../../up.png", PNG, "up.png"),
        ("整改照片.png", PNG, "整改照片.png"),
    ],
)
def test_traversal_names_are_reduced_to_a_base_name_inside_the_files_dir(
    upload_campus, tmp_path_factory, name, content, expected
):
    root = upload_campus.files_dir.parent
    before = tree(root)
    cwd_before = set(os.listdir(os.getcwd()))
    response = attach(upload_campus, content, name)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    stored = body["filename"]  # a bare name (how the client escaped it may vary)
    assert stored.endswith(expected) and stored not in {".", ".."}, stored
    assert not {"/", "\\", "\r", "\n", "\x00"} & set(stored), stored
    created = tree(root) - before
    # at most the content itself (stored once by hash), under files/<sha[:2]>/<sha>
    for path in created:
        assert path.resolve().is_relative_to(upload_campus.files_dir.resolve()), path
        assert path.name == body["sha256"] and path.parent.name == body["sha256"][:2]
    assert set(os.listdir(os.getcwd())) == cwd_before
    assert not (upload_campus.files_dir / name).resolve().exists() or name == expected
    assert not Path("/etc/passwd.jpg").exists() and not Path("/etc/cron.d/evil.png").exists()
    download = upload_campus.call(
        "hazards",
        "GET",
        f"/hazards/{upload_campus.ids['hazard_jd']}/attachments/{body['id']}",
        JD,
    )
    assert download.status_code == 200 and download.data == content
    disposition = download.headers["Content-Disposition"]
    assert not {"\r", "\n", "/", "\\"} & set(disposition), disposition


@pytest.mark.parametrize(
    ("name", "content", "content_type", "status"),
    [
        ("big.png", PNG + b"\x00" * 5000, "image/png", 413),
        ("photo.jpg", PNG, "image/jpeg", 415),  # PNG bytes named and labelled JPEG
        ("photo.png", PNG, "application/pdf", 415),  # labelled as something else
        ("notes.png", b"just some text, not an image", "image/png", 415),
        ("page.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", None, 415),
        ("setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60, "application/pdf", 415),
        ("empty.png", b"", "image/png", 415),
        ("photo", PNG, "image/png", 415),  # no extension
    ],
)
def test_oversized_and_mislabelled_attachments_are_refused_and_nothing_is_stored(
    upload_campus, name, content, content_type, status
):
    root = upload_campus.files_dir.parent
    before_files, before_rows = tree(root), len(stored_attachments(upload_campus))
    response = attach(upload_campus, content, name, content_type)
    assert_problem(response, status)
    assert tree(root) == before_files
    assert len(stored_attachments(upload_campus)) == before_rows


def test_quotes_and_line_breaks_in_a_file_name_cannot_inject_a_header(upload_campus):
    response = attach(upload_campus, PNG, 'a"b\r\nX-Injected: 1\r\n.png')
    if response.status_code == 415:  # the name lost its extension on the way: refused
        assert_problem(response)
        return
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert not {"\r", "\n", '"'} & set(body["filename"])
    download = upload_campus.call(
        "hazards",
        "GET",
        f"/hazards/{upload_campus.ids['hazard_jd']}/attachments/{body['id']}",
        JD,
    )
    assert "X-Injected" not in download.headers


def test_a_body_over_the_application_limit_is_a_413_problem(upload_campus):
    """Past MAX_CONTENT_LENGTH (16 MiB) werkzeug refuses the body before any view runs."""
    response = attach(upload_campus, b"\xff\xd8\xff" + b"\x00" * (17 * 1024 * 1024), "huge.jpg")
    assert_problem(response, 413)


ROSTER_CSV = "姓名,联系电话,网格编码,角色\n李娜,13900001111,JD-B1,网格安全员\n".encode("utf-8-sig")


def import_roster(campus: Campus, content: bytes, name: str, content_type=None, headers=JD):
    file = (
        (io.BytesIO(content), name, content_type) if content_type else (io.BytesIO(content), name)
    )
    return campus.call(
        "grid",
        "POST",
        "/units/JD/roster-import",
        headers,
        data={"file": file},
        content_type="multipart/form-data",
    )


def people(campus: Campus) -> int:
    return len(campus.json("grid", "GET", "/people?page_size=100"))


@pytest.mark.parametrize(
    ("name", "content", "content_type", "status"),
    [
        ("roster.csv", ROSTER_CSV + b"#" * 5000, "text/csv", 413),
        ("roster.png", PNG, "image/png", 415),
        ("roster.exe", b"MZ\x90\x00", None, 415),
        ("roster.xlsx", ROSTER_CSV, None, 415),  # text named as a workbook
        ("roster.csv", PNG, "text/csv", 415),  # binary named as text
        ("roster.csv", ROSTER_CSV, "image/png", 415),  # labelled as an image
        ("roster", ROSTER_CSV, None, 415),
    ],
)
def test_oversized_and_mislabelled_rosters_are_refused_and_nothing_is_imported(
    upload_campus, name, content, content_type, status
):
    root = upload_campus.files_dir.parent
    before_files, before_people = tree(root), people(upload_campus)
    assert_problem(import_roster(upload_campus, content, name, content_type), status)
    assert tree(root) == before_files
    assert people(upload_campus) == before_people


def test_a_roster_from_another_unit_is_403_before_its_file_is_looked_at(upload_campus):
    assert_problem(import_roster(upload_campus, PNG, "../../roster.png", headers=XX), 403)


def test_a_roster_named_with_a_traversal_path_is_read_and_never_written(upload_campus):
    root = upload_campus.files_dir.parent
    before = tree(root)
    response = import_roster(upload_campus, ROSTER_CSV, "../../../../tmp/roster.csv")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["assignments_created"] == 1
    assert tree(root) == before
    assert not Path("/tmp/roster.csv").exists()


# -- filters and search ---------------------------------------------------------------------
@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)]
)
def filter_campus(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        campus = sqlite_campus(root)
    else:
        pg = request.getfixturevalue("pg")  # migrated PostgreSQL databases of the session
        pg.truncate_all()  # which also empties the checklists a migration seeded
        with Session(pg.engine("hazards")) as session, session.begin():
            seed_checklists(session)
        campus = Campus(pg.urls, root / "files").seed()
    campus.tables = {service: _tables(campus, service) for service in SERVICES}
    yield campus
    campus.close()


def _tables(campus: Campus, service: str) -> set[str]:
    return set(inspect(campus.apps[service].extensions["campus"].engine).get_table_names())


def _free_text(parameter: dict) -> bool:
    schema = parameter.get("schema", {})
    return (
        parameter.get("in") == "query"
        and schema.get("type") == "string"
        and "enum" not in schema
        and "format" not in schema
    )


def _filter_cases() -> list:
    cases = []
    for service in SERVICES:
        for method, path, operation in operations(service):
            if method != "GET":
                continue
            names = [p["name"] for p in operation.get("parameters", []) if _free_text(p)]
            for n in names:
                cases.append(pytest.param(service, path, n, id=f"{service}:{path}?{n}"))
    return cases


def _shape(response):
    """What must not change between a value that matches nothing and a hostile one."""
    body = response.get_json(silent=True) if response.is_json else None
    return response.status_code, len(body) if isinstance(body, list) else None


@pytest.mark.parametrize(("service", "path", "name"), _filter_cases())
def test_hostile_filter_values_match_nothing_or_are_a_422(filter_campus, service, path, name):
    url = path.format(**filter_campus.path_values(service))
    operation = next(o for m, p, o in operations(service) if m == "GET" and p == path)
    extra = companions(operation.get("parameters", []), name, filter_campus)
    if path == "/rosters" and name != "unit_code":
        extra["unit_code"] = "JD"  # one of unit_code and area_type
    baseline = filter_campus.call(service, "GET", url, SO, query_string={**extra, name: NOTHING})
    assert baseline.status_code < 500
    for value in HOSTILE:
        response = filter_campus.call(service, "GET", url, SO, query_string={**extra, name: value})
        assert response.status_code < 500, (name, value, response.get_data(as_text=True)[:300])
        if response.status_code == 422:
            assert name in {p["name"] for p in assert_problem(response)["invalid_params"]}
            continue
        if response.status_code >= 400:
            assert_problem(response)
        assert _shape(response) == _shape(baseline), (name, value)


def test_the_text_search_finds_hostile_strings_literally(filter_campus):
    """``q`` is a substring search: wildcards and quotes in it are plain characters."""
    description = "消防通道 100%_达标 \\ ' OR 1=1 -- \"; DROP TABLE hazards; -- 𝐓𝐡𝐞"
    created = filter_campus.json(
        "hazards",
        "POST",
        "/hazards",
        json={"unit_code": "JD", "category": "fire", "description": description},
        expect=201,
    )
    for q in ("100%_", "%_", "\\", "' OR 1=1 --", '"; DROP TABLE hazards; --', "𝐓𝐡𝐞"):
        found = filter_campus.json("hazards", "GET", "/hazards", query_string={"q": q})
        assert [h["id"] for h in found] == [created["id"]], q
    for q in ("%", "_", "'", "\\"):  # in nothing but the new description
        found = filter_campus.json("hazards", "GET", "/hazards", query_string={"q": q})
        assert [h["id"] for h in found] == [created["id"]], q
    everything = filter_campus.json("hazards", "GET", "/hazards", query_string={"page_size": 100})
    assert len(everything) == 3  # JD's, XX's and this one: nothing dropped a row


def test_nul_anywhere_is_a_422_naming_where(filter_campus):
    """PostgreSQL text cannot hold U+0000: refused up front, whatever the endpoint."""
    body = {"unit_code": "JD", "category": "fire", "description": "灭火器\x00过期"}
    response = filter_campus.call("hazards", "POST", "/hazards", SO, json=body)
    params = assert_problem(response, 422)["invalid_params"]
    assert [(p["name"], p["location"]) for p in params] == [("description", "json")]
    response = filter_campus.call("hazards", "GET", "/hazards/a%00b", SO)
    assert assert_problem(response, 422)["invalid_params"][0]["location"] == "path"
    response = filter_campus.call(
        "hazards",
        "POST",
        f"/hazards/{filter_campus.ids['hazard_jd']}/attachments",
        JD,
        data={"note": "a\x00b", "file": (io.BytesIO(PNG), "photo.png")},
        content_type="multipart/form-data",
    )
    assert assert_problem(response, 422)["invalid_params"][0]["location"] == "form"


def test_every_table_is_still_there(filter_campus):
    """Last in this module: the hostile strings dropped no table and emptied none."""
    for service in SERVICES:
        assert _tables(filter_campus, service) == filter_campus.tables[service], service
    hazards = filter_campus.json("hazards", "GET", "/hazards", query_string={"page_size": 100})
    assert {h["unit_code"] for h in hazards} == {"JD", "XX"}
    assert len(filter_campus.json("grid", "GET", "/units")) == 2
