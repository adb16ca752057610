"""The ledger list page by page at any size (issue 18): GET /hazards gives cursors
(``next_cursor`` / ``prev_cursor`` in X-Pagination) that walk the filtered ledger newest
first with no hazard twice and none missed, even when hazards are reported between two
pages; an edited cursor is a 400 naming it in Chinese; the total says whether it is exact;
page numbers still read as before. The console's 隐患台账 follows the cursors with its
filters. SQLite here; tests/integration/test_ledger_pages_postgres.py runs the same flows on
PostgreSQL, and the estimated total past 10,000 hazards."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from services.hazards.models import Hazard
from shared.api import state
from shared.grid_projection import GridUnit
from tests.support.console import console_over
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
FOUND = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def add_hazards(app, specs: list[tuple[str, str, str, datetime]]) -> None:
    """Hazards (number, unit, stage, found_at) straight into the ledger."""
    with app.app_context(), state().session_factory() as session, session.begin():
        for number, unit, stage, found_at in specs:
            session.add(
                Hazard(
                    number=number,
                    unit_code=unit,
                    category="fire",
                    lead_department="BWC",
                    severity="general",
                    status=stage,
                    description=f"隐患 {number}",
                    found_by="u-1",
                    found_at=found_at,
                )
            )


def ledger_of_twelve(app) -> list[str]:
    """12 registered hazards of JD, three sharing each finding time (the number breaks the
    tie), between them hazards of other stages and units; JD's registered, newest first."""
    specs = []
    for i in range(12):
        found = FOUND + timedelta(hours=i // 3)
        specs.append((f"YH-{i:03d}", "JD", "registered", found))
        specs.append((f"XX-{i:03d}", "XX", "registered", found))
        specs.append((f"JC-{i:03d}", "JD", "closed", found))
    add_hazards(app, specs)
    return [f"YH-{i:03d}" for i in sorted(range(12), key=lambda i: (i // 3, i), reverse=True)]


def get_page(client, headers=SO, **params) -> tuple[list[str], dict]:
    query = {"unit_code": "JD", "status": "registered", "page_size": 5, **params}
    query = {key: value for key, value in query.items() if value is not None}
    response = client.get("/hazards", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return [h["number"] for h in response.get_json()], json.loads(response.headers["X-Pagination"])


def walk(client, **params) -> list[list[str]]:
    """Every page, following next_cursor from the first."""
    pages, cursor = [], None
    while True:
        numbers, meta = get_page(client, **params, **({"cursor": cursor} if cursor else {}))
        pages.append(numbers)
        cursor = meta["next_cursor"]
        if cursor is None:
            return pages


def flow_cursors_walk_the_filtered_ledger_newest_first(client, app) -> None:
    expected = ledger_of_twelve(app)
    pages = walk(client)
    assert pages == [expected[0:5], expected[5:10], expected[10:12]]  # filters kept
    first, meta = get_page(client)
    assert meta["prev_cursor"] is None and meta["total"] == 12 and meta["total_exact"] is True
    # Back from the last page: the pages before it, the same rows.
    _, middle = get_page(client, cursor=meta["next_cursor"])
    _, last = get_page(client, cursor=middle["next_cursor"])
    assert get_page(client, cursor=last["prev_cursor"])[0] == expected[5:10]
    back_to_first, meta = get_page(client, cursor=middle["prev_cursor"])
    assert back_to_first == expected[0:5] and meta["prev_cursor"] is None
    # Page numbers read as before, and give cursors too.
    assert get_page(client, page=2)[0] == expected[5:10]
    assert get_page(client, cursor=get_page(client, page=2)[1]["next_cursor"])[0] == expected[10:]


def flow_hazards_reported_between_pages_neither_repeat_nor_skip(client, app) -> None:
    expected = ledger_of_twelve(app)
    first, meta = get_page(client)
    # Two newer hazards reported after the first page was read: by number, page 2 would
    # now repeat two of page 1; by cursor it goes on where page 1 ended.
    later = FOUND + timedelta(days=1)
    add_hazards(app, [("YH-900", "JD", "registered", later), ("YH-901", "JD", "registered", later)])
    rest = [first]
    cursor = meta["next_cursor"]
    while cursor:
        numbers, meta = get_page(client, cursor=cursor)
        rest.append(numbers)
        cursor = meta["next_cursor"]
    seen = [number for page in rest for number in page]
    assert seen == expected  # each once, in order, none missed
    assert get_page(client, page=2)[0][:2] == expected[3:5]  # what page numbers do instead
    assert get_page(client)[0][:2] == ["YH-901", "YH-900"]  # a fresh first page has them


def flow_an_edited_cursor_is_a_400_naming_it(client, app) -> None:
    ledger_of_twelve(app)
    cursor = get_page(client)[1]["next_cursor"]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    edited = base64.urlsafe_b64encode(raw.replace(b"YH-", b"YH-\\u0000")).decode()
    wrong = base64.urlsafe_b64encode(b'["a", 1, 2]').decode()
    too_early = base64.urlsafe_b64encode(b'["a", "0001-01-01T00:00:00+14:00", "YH-1"]').decode()
    for bad in ("not-a-cursor", cursor[:-6], edited, wrong, too_early):
        response = client.get("/hazards", query_string={"cursor": bad}, headers=SO)
        assert response.status_code == 400, bad
        assert response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert [p["name"] for p in problem["invalid_params"]] == ["cursor"]
        assert "翻页位置无效" in problem["detail"]


def flow_a_unit_walks_only_its_own_ledger(client, app) -> None:
    expected = ledger_of_twelve(app)
    assert [n for page in walk(client, headers=JD, unit_code=None) for n in page] == expected


def flow_open_lists_only_what_is_still_owed(client, app) -> None:
    """open=true: not yet struck off (销号) or archived, the registers' due lists ask it."""
    ledger_of_twelve(app)
    add_hazards(app, [("JA-001", "JD", "archived", FOUND), ("JR-001", "JD", "rectified", FOUND)])
    owed = {n for page in walk(client, status=None, open="true", page_size=50) for n in page}
    done = {n for page in walk(client, status=None, open="false", page_size=50) for n in page}
    assert owed == {f"YH-{i:03d}" for i in range(12)} | {"JR-001"}
    assert done == {f"JC-{i:03d}" for i in range(12)} | {"JA-001"}


FLOWS = [
    flow_open_lists_only_what_is_still_owed,
    flow_cursors_walk_the_filtered_ledger_newest_first,
    flow_hazards_reported_between_pages_neither_repeat_nor_skip,
    flow_an_edited_cursor_is_a_400_naming_it,
    flow_a_unit_walks_only_its_own_ledger,
]


@pytest.mark.parametrize("flow", FLOWS, ids=lambda flow: flow.__name__.removeprefix("flow_"))
def test_the_ledger_by_cursor(hazards_app, flow):
    flow(hazards_app.test_client(), hazards_app)


# -- the console ---------------------------------------------------------------------------
def office_console(grid, hazards, monkeypatch, tmp_path):
    """The console signed in as the security office (BWC's 赵处长), over ``grid`` and
    ``hazards``, JD and BWC in the ledger's copy of the grid."""
    api = grid.test_client()
    for code, name, kind in (("JD", "机电工程学院", "college"), ("BWC", "安全保卫处", "office")):
        made = api.post("/units", json={"code": code, "name": name, "kind": kind}, headers=SO)
        assert made.status_code == 201
    person = api.post(
        "/people",
        json={
            "name": "赵处长",
            "phone": "13800000000",
            "unit_code": "BWC",
            "staff_no": "S001",
            "roles": ["security_office"],
        },
        headers=SO,
    ).get_json()
    api.put(f"/people/{person['id']}/password", json={"password": "pass-1234"}, headers=SO)
    with hazards.app_context(), state().session_factory() as session, session.begin():
        session.add(GridUnit(code="JD", name="机电工程学院", kind="college", last_sequence=1))
        session.add(GridUnit(code="BWC", name="安全保卫处", kind="office", last_sequence=1))
    client = console_over({"grid": grid, "hazards": hazards}, monkeypatch, tmp_path).test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    form = {"login": "S001", "password": "pass-1234", "csrf_token": token}
    assert client.post("/login", data=form).status_code == 302
    return client


def pager_links(page: str) -> dict[str, str]:
    return {
        rel: unescape(href)
        for href, rel in re.findall(r'<a href="([^"]+)" rel="(prev|next)">', page)
    }


def flow_the_console_pages_by_cursor_keeping_the_filters(console, hazards) -> None:
    add_hazards(
        hazards,
        [(f"YH-{i:03d}", "JD", "registered", FOUND + timedelta(hours=i)) for i in range(45)]
        + [(f"JC-{i:03d}", "JD", "closed", FOUND) for i in range(5)],
    )
    first = unescape(console.get("/hazards?status=registered").get_data(as_text=True))
    assert re.search(r'共 <strong id="ledger-total">45</strong> 条', first)
    assert "第 1 页，共 3 页" in first and "YH-044" in first and "YH-024" not in first
    links = pager_links(first)
    assert set(links) == {"next"} and "status=registered" in links["next"]
    second = unescape(console.get(links["next"]).get_data(as_text=True))
    assert "第 2 页，共 3 页" in second and "YH-024" in second and "YH-044" not in second
    assert "JC-" not in second  # the filter went along
    back = unescape(console.get(pager_links(second)["prev"]).get_data(as_text=True))
    assert "第 1 页" in back and "YH-044" in back
    # A cursor edited in the address bar: back to the first page, saying why.
    edited = console.get("/hazards?status=registered&cursor=abc", follow_redirects=True)
    assert "翻页位置已失效" in edited.get_data(as_text=True)
    assert "YH-044" in edited.get_data(as_text=True)


def test_the_console_ledger_by_cursor(make_app, monkeypatch, tmp_path):
    grid, hazards = make_app("grid"), make_app("hazards")
    console = office_console(grid, hazards, monkeypatch, tmp_path)
    flow_the_console_pages_by_cursor_keeping_the_filters(console, hazards)
