"""The console's incidents pages (安全事故) against the real grid, hazard and reporting apps,
in process: the menu entry, the record form (a refusal kept beside its field in Chinese),
the list with its filters and statistics, the incident's page with its report chain,
investigation, a revealed hazard opened in the ledger (and the hazard's page linking back),
the finding of responsibility, and 概览's figure 「无重大安全事故」."""

from __future__ import annotations

import re
from html import unescape

import pytest

from shared.api import state
from shared.events.envelope import Envelope
from shared.events.outbox import OutboxMessage
from shared.grid_projection import GridCell as ProjectedCell
from shared.grid_projection import GridUnit
from tests.support.console import console_over
from tests.support.events import feed as consume_all
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of

OFFICE = bearer("security_office", sub="so-setup")
ENGLISH = re.compile(r"(must be|Missing data|required|Not a valid|outside your)")


@pytest.fixture
def apps(make_app, tmp_path):
    return {
        "grid": make_app("grid"),
        "hazards": make_app("hazards", files_dir=str(tmp_path / "files")),
        "reporting": make_app("reporting"),
    }


@pytest.fixture
def console(apps, monkeypatch, tmp_path):
    return console_over(apps, monkeypatch, tmp_path)


@pytest.fixture
def campus(apps) -> dict:
    """JD and XX with a place each (copied into the hazard ledger's projection as the grid's
    events would), the office and JD's manager able to sign in."""
    api = apps["grid"].test_client()
    for code, name, kind in (
        ("JD", "机电工程学院", "college"),
        ("XX", "信息工程学院", "college"),
        ("BWC", "安全保卫处", "office"),
    ):
        made = api.post("/units", json={"code": code, "name": name, "kind": kind}, headers=OFFICE)
        assert made.status_code == 201
    root = cell(api, "LZ", "学院", "campus")
    places = {u: cell(api, f"{u}-U", f"{u}单位网格", "unit", root["id"], u) for u in ("JD", "XX")}
    places["lab"] = cell(api, "JD-LAB", "化工实训室", "lab", places["JD"]["id"])
    for key, unit, roles, number in (
        ("office", "BWC", ["security_office"], "S001"),
        ("manager", "JD", ["unit_manager"], "J001"),
    ):
        person = api.post(
            "/people",
            json={
                "name": f"{key}人",
                "phone": "13800000000",
                "unit_code": unit,
                "staff_no": number,
                "roles": roles,
            },
            headers=OFFICE,
        ).get_json()
        api.put(f"/people/{person['id']}/password", json={"password": "pass-1234"}, headers=OFFICE)
    with apps["hazards"].app_context(), state().session_factory() as session, session.begin():
        for unit in api.get("/units", headers=OFFICE).get_json():
            session.add(GridUnit(**{k: unit[k] for k in ("code", "name", "kind")}, last_sequence=1))
        for c in api.get("/cells", headers=OFFICE).get_json():
            session.add(
                ProjectedCell(
                    cell_id=c["id"],
                    code=c["code"],
                    name=c["name"],
                    level=c["level"],
                    parent_id=c["parent_id"],
                    unit_code=c["unit_code"],
                    area_type=c["area_type"],
                    location=c["location"],
                    last_sequence=1,
                )
            )
    return {key: c["id"] for key, c in places.items()}


def cell(api, code, name, area_type, parent_id=None, unit_code=None) -> dict:
    body = {"code": code, "name": name, "area_type": area_type}
    body |= {"parent_id": parent_id} if parent_id else {}
    body |= {"unit_code": unit_code} if unit_code else {}
    made = api.post("/cells", json=body, headers=OFFICE)
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def signed_in(console, login: str):
    client = console.test_client()
    form = {"login": login, "password": "pass-1234", "csrf_token": csrf(client, "/login")}
    assert client.post("/login", data=form).status_code == 302
    return client


def post(client, path: str, data: dict, page: str | None = None):
    return client.post(path, data={**data, "csrf_token": csrf(client, page or path)})


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def english(page: str) -> bool:
    return bool(ENGLISH.search(re.sub(r"<[^>]+>", " ", page)))


def relay_to_reporting(apps) -> None:
    """The hazard ledger's incident events applied by reporting, as its worker would."""
    with apps["hazards"].app_context(), state().session_factory() as session:
        bodies = session.query(OutboxMessage).filter(OutboxMessage.event_type.like("incident.%"))
        events = [row.body for row in bodies.order_by(OutboxMessage.id)]
    with apps["reporting"].app_context(), state().session_factory() as session:
        consume_all(session, handlers_of("reporting"), [Envelope.from_json(b) for b in events])


FIRE = {
    "title": "化工实训室试剂起火",
    "occurred_at": "2021-11-15T14:30",
    "kind": "laboratory",
    "severity": "general",
    "narrative": "学生实训时酒精灯引燃试剂瓶，现场扑灭",
    "injuries": "1",
    "immediate_actions": "使用灭火器扑灭",
}


def test_a_manager_records_and_the_office_investigates_opens_a_hazard_and_finds(
    console, campus, apps
):
    manager = signed_in(console, "J001")
    assert ">安全事故</a>" in text(manager.get("/"))
    form = text(manager.get("/incidents/new"))
    assert "化工实训室" in form and "实验室安全事故" in form and "特别重大" in form

    refused = post(
        manager, "/incidents/new", {**FIRE, "cell_id": campus["lab"], "near_miss": "true"}
    )
    assert refused.status_code == 422
    page = text(refused)
    assert "有人员伤亡的不是未遂事件" in page and 'value="化工实训室试剂起火"' in page
    assert not english(page)

    made = post(manager, "/incidents/new", {**FIRE, "cell_id": campus["lab"]})
    assert made.status_code == 302, text(made)
    path = made.location
    page = text(manager.get(path))
    assert "2021-11-15 14:30" in page and "机电工程学院" in page and "化工实训室" in page
    assert 'id="report-form"' in page and 'id="finding-form"' not in page  # the office's

    chain = {"told": "安全保卫处值班室", "told_at": "2021-11-15T14:40", "channel": "电话"}
    assert post(manager, f"{path}/reports", chain, page=path).status_code == 302
    early = post(manager, f"{path}/reports", {**chain, "told_at": "2021-11-15T14:00"}, page=path)
    assert early.status_code == 422 and "早于事故发生时间" in text(early)

    office = signed_in(console, "S001")
    causes = {"causes": "试剂存放不规范"}
    assert post(office, f"{path}/investigation", causes, page=path).status_code == 302
    hazard = {"category": "lab_chemicals", "description": "危化品柜未上锁"}
    assert post(office, f"{path}/hazards", hazard, page=path).status_code == 302
    page = text(office.get(path))
    assert "安全保卫处值班室" in page and "试剂存放不规范" in page and "危化品柜未上锁" in page
    hazard_link = re.search(r'href="(/hazards/[^"]+)">(YH-[^<]+)</a>', page)
    hazard_page = text(office.get(hazard_link.group(1)))
    assert "由安全事故发现" in hazard_page and path in hazard_page

    finding = {"unit_code": "JD", "text": "实训室管理制度落实不到位", "found_on": "2021-11-25"}
    bad = post(office, f"{path}/finding", {**finding, "found_on": "2021-11-01"}, page=path)
    assert bad.status_code == 422 and "早于事故发生日期" in text(bad)
    assert post(office, f"{path}/finding", finding, page=path).status_code == 302
    page = text(office.get(path))
    assert "实训室管理制度落实不到位" in page and 'id="finding-form"' not in page

    relay_to_reporting(apps)
    listed = text(office.get("/incidents?kind=laboratory"))
    assert "化工实训室试剂起火" in listed and 'id="incident-stats"' in listed
    assert "无重大安全事故：<strong>已实现</strong>" in listed
    assert "化工实训室试剂起火" not in text(office.get("/incidents?kind=traffic"))
    overview = text(office.get("/overview"))
    assert 'id="goal-no-major">已实现' in overview and 'id="stat-incidents">1<' in overview
