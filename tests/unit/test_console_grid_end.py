"""停用地点 from the console: a place's page offers the form (with a confirmation), a refused
end keeps what was typed and says why beside the field, and the tree shows ended places only
when asked, marked 已停用."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shared.api import state
from shared.events import Envelope
from shared.events.outbox import OutboxMessage
from tests.support import events as batches
from tests.support.console import console_over
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of
from tests.unit.test_console_grid_admin import post, seed, sign_in, text

OFFICE = bearer("security_office", sub="so-setup")


@pytest.fixture
def grid(make_app):
    return make_app("grid")


@pytest.fixture
def hazards(make_app):
    return make_app("hazards")


@pytest.fixture
def console(grid, hazards, monkeypatch, tmp_path):
    return console_over({"grid": grid, "hazards": hazards}, monkeypatch, tmp_path)


def test_the_office_ends_a_place_and_the_tree_hides_it_unless_asked(console, grid):
    setup = seed(grid)
    api = grid.test_client()
    jd = setup["cells"]["JD"]["id"]
    building = api.post(
        "/cells",
        json={"code": "JD-B", "name": "实训楼", "area_type": "lab", "parent_id": jd},
        headers=OFFICE,
    ).get_json()
    office = console.test_client()
    sign_in(office, "S001")
    here = f"/grid/cells/{building['id']}"
    page = text(office.get(here))
    assert "停用地点" in page and 'data-confirm="确认停用实训楼？' in page
    # the place's own work one tap away: its daily inspection and its risk announcement
    assert f'href="/registers/inspections/new?cell_id={building["id"]}">日常巡查</a>' in page
    assert f'href="/registers/risks/announcement?cell_id={building["id"]}">风险公告</a>' in page

    short = post(office, f"{here}/end", {"ended_on": "2026-01-02", "reason": "拆"}, page=here)
    assert short.status_code == 422
    refused = text(short)
    assert 'value="2026-01-02"' in refused and 'id="e-x-reason"' in refused

    done = post(
        office, f"{here}/end", {"ended_on": "2026-01-02", "reason": "教学楼拆除"}, page=here
    )
    assert done.status_code == 302
    page = text(office.get(here))
    assert "已停用（2026-01-02 起）" in page and "教学楼拆除" in page
    assert (
        'id="end-form"' not in page
        and "在此地点上报隐患" not in page
        and "inspections/new?cell_id" not in page
    )

    tree = text(office.get("/grid"))
    assert "实训楼" not in tree and "显示已停用的地点" in tree
    everything = text(office.get("/grid?ended=1"))
    assert "实训楼" in everything and "已停用" in everything


def relay_cells(grid, hazards) -> None:
    """The grid's cell.changed events, as the broker would carry them, into the ledger."""
    with grid.app_context(), state().session_factory() as session:
        bodies = session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.event_type.in_(("unit.changed", "cell.changed")))
            .order_by(OutboxMessage.id)
        ).all()
    with hazards.app_context(), state().session_factory() as session:
        handlers = handlers_of("hazards", state().settings)
        batches.feed(session, handlers, [Envelope.from_json(b) for b in bodies])


def test_the_report_page_of_an_ended_place_offers_its_unit(console, grid, hazards):
    setup = seed(grid)
    api = grid.test_client()
    jd = setup["cells"]["JD"]["id"]
    lab = api.post(
        "/cells",
        json={"code": "JD-L", "name": "化学实验室", "area_type": "lab", "parent_id": jd},
        headers=OFFICE,
    ).get_json()
    end = {"ended_on": "2026-01-02", "reason": "实验室关闭"}
    assert api.post(f"/cells/{lab['id']}/end", json=end, headers=OFFICE).status_code == 200
    relay_cells(grid, hazards)
    office = console.test_client()
    sign_in(office, "S001")
    page = text(office.get(f"/report?cell={lab['id']}"))
    assert "该地点已停用" in page and "化学实验室" in page
    assert '<option value="JD" selected>' in page  # the unit offered instead
