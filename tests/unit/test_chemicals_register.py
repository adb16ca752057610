"""The hazardous chemicals register (危化品) over HTTP (SQLite, no broker): the catalogue,
stores, the movements ledger and its derived balances, counts and controlled issues that
open hazards once, the incompatible-storage sweep, and the period report as .xlsx."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import select

from services.hazards.models import Hazard
from services.hazards.registers.chemicals.commands import run_chemicals_sweep
from shared.api import state
from shared.grid_projection import GridCell, GridUnit
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
XX = bearer("unit_manager", unit="XX", sub="manager-XX")
JWC = bearer("lead_department", unit="JWC", sub="jwc")  # leads lab_chemicals
NOW = datetime(2021, 12, 1, 2, tzinfo=UTC)

ETHANOL = {"name": "无水乙醇", "cas_no": "64-17-5", "hazard_class": "flammable", "measure": "mL"}
PERMANGANATE = {
    "name": "高锰酸钾",
    "cas_no": "7722-64-7",
    "hazard_class": "oxidizer",
    "explosive_precursor": True,
    "measure": "g",
}


@pytest.fixture
def app(make_app):
    app = make_app("hazards")
    with app.app_context(), state().session_factory() as session, session.begin():
        session.add_all(
            [
                GridUnit(code="JD", name="机电工程学院", kind="college", last_sequence=1),
                GridUnit(code="XX", name="信息工程学院", kind="college", last_sequence=1),
            ]
        )
        for cell_id, code, name, unit in (
            ("lab", "JD-LAB", "化工实训室", "JD"),
            ("xlab", "XX-LAB", "电子实训室", "XX"),
        ):
            session.add(
                GridCell(
                    cell_id=cell_id,
                    code=code,
                    name=name,
                    level=3,
                    parent_id=None,
                    unit_code=unit,
                    area_type="teaching",
                    location=None,
                    last_sequence=1,
                )
            )
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def problem(response, status=422) -> tuple[list[str], str]:
    assert response.status_code == status, response.get_json()
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    return [p["name"] for p in body.get("invalid_params", [])], body["detail"]


def item(client, fields=ETHANOL) -> str:
    return ok(client.post("/chemicals", json=fields, headers=SO), 201)["id"]


def store(client, capacity=10_000) -> str:
    body = {
        "name": "化工实训室危化品柜",
        "cell_id": "lab",
        "capacity": capacity,
        "segregation_class": "flammable",
        "keeper_name": "李明",
    }
    return ok(client.post("/chemical-stores", json=body, headers=JD), 201)["id"]


def move(client, store_id, item_id, kind, quantity, status=201, **extra):
    body = {
        "item_id": item_id,
        "kind": kind,
        "quantity": quantity,
        "occurred_on": "2021-11-10",
        "counterparty": "张老师",
        **extra,
    }
    return client.post(f"/chemical-stores/{store_id}/movements", json=body, headers=JD)


def hazards(app) -> list[Hazard]:
    with app.app_context(), state().session_factory() as session:
        return list(session.scalars(select(Hazard).where(Hazard.source == "chemicals")))


def test_the_catalogue_is_kept_by_the_office_and_the_lead_department(client):
    ok(client.post("/chemicals", json=ETHANOL, headers=JWC), 201)
    assert client.post("/chemicals", json=PERMANGANATE, headers=JD).status_code == 403
    names, detail = problem(client.post("/chemicals", json=ETHANOL, headers=SO), 409)
    assert names == ["cas_no"] and "已在目录中" in detail
    names, _ = problem(client.post("/chemicals", json={**ETHANOL, "cas_no": "乙醇"}, headers=SO))
    assert names == ["cas_no"]
    listed = ok(client.get("/chemicals", headers=XX))
    assert [i["hazard_class_label"] for i in listed] == ["易燃品"]


def test_stores_are_written_by_their_unit_and_read_in_scope(client):
    store_id = store(client)
    body = {
        "name": "柜",
        "cell_id": "lab",
        "capacity": 10,
        "segregation_class": "acid",
        "keeper_name": "王",
    }
    assert client.post("/chemical-stores", json=body, headers=XX).status_code == 403
    assert client.get(f"/chemical-stores/{store_id}", headers=XX).status_code == 403
    assert ok(client.get(f"/chemical-stores/{store_id}", headers=JWC))["unit_code"] == "JD"
    assert ok(client.get("/chemical-stores", headers=XX)) == []
    names, _ = problem(client.post("/chemical-stores", json={**body, "capacity": 0}, headers=JD))
    assert names == ["capacity"]


def test_the_balance_is_derived_from_the_movements_and_never_negative(client):
    store_id, item_id = store(client), item(client)
    ok(move(client, store_id, item_id, "purchase", 500, counterparty="兰州化学试剂公司"), 201)
    ok(move(client, store_id, item_id, "receipt", 500), 201)
    ok(move(client, store_id, item_id, "issue", 200, purpose="有机化学实验"), 201)
    ok(move(client, store_id, item_id, "return", 50), 201)
    balances = ok(client.get(f"/chemical-stores/{store_id}/balances", headers=JD))
    assert [(b["name"], b["balance"]) for b in balances] == [("无水乙醇", 350)]
    names, detail = problem(move(client, store_id, item_id, "issue", 351, purpose="实验"))
    assert names == ["quantity"] and "结余 350" in detail
    names, _ = problem(move(client, store_id, item_id, "issue", 1))  # no purpose
    assert names == ["purpose"]
    names, _ = problem(move(client, store_id, item_id, "disposal", 1))  # no manifest
    assert names == ["manifest_no"]
    names, _ = problem(move(client, store_id, item_id, "purchase", 20_000))
    assert names == ["quantity"]  # beyond the store's capacity
    assert len(ok(client.get(f"/chemical-stores/{store_id}/movements", headers=JD))) == 4


def test_a_controlled_issue_without_a_second_person_opens_one_hazard(client, app):
    store_id, item_id = store(client), item(client, PERMANGANATE)
    names, _ = problem(move(client, store_id, item_id, "purchase", 100))  # no licence
    assert names == ["licence_no"]
    ok(move(client, store_id, item_id, "purchase", 100, licence_no="甘易制爆备 2021-001"), 201)
    ok(
        move(client, store_id, item_id, "issue", 10, purpose="氧化还原实验", second_person="王五"),
        201,
    )
    assert hazards(app) == []
    ok(move(client, store_id, item_id, "issue", 10, purpose="氧化还原实验"), 201)
    [hazard] = hazards(app)
    assert hazard.category == "lab_chemicals" and hazard.subcategory == "use"
    assert "双人双锁" in hazard.description and hazard.unit_code == "JD"


def test_a_stock_count_that_differs_opens_a_hazard(client, app):
    store_id, item_id = store(client), item(client)
    ok(move(client, store_id, item_id, "purchase", 500), 201)
    count = {"item_id": item_id, "counted": 500, "counted_on": "2021-11-30", "counted_by": "李明"}
    url = f"/chemical-stores/{store_id}/counts"
    assert ok(client.post(url, json=count, headers=JD), 201)["balance"] == 500
    assert hazards(app) == []
    ok(client.post(url, json={**count, "counted": 480}, headers=JD), 201)
    [hazard] = hazards(app)
    assert "账实不符" in hazard.description and hazard.subcategory == "storage"
    assert client.post(url, json=count, headers=XX).status_code == 403


def test_the_sweep_opens_one_hazard_per_incompatible_pair_and_none_on_a_second_run(client, app):
    store_id = store(client)
    ethanol, permanganate = item(client), item(client, PERMANGANATE)
    ok(move(client, store_id, ethanol, "purchase", 100), 201)
    ok(move(client, store_id, permanganate, "purchase", 100, licence_no="L-1"), 201)
    with app.app_context():
        factory, settings = state().session_factory, state().settings
        assert run_chemicals_sweep(factory, settings, now=NOW) == 1
        assert run_chemicals_sweep(factory, settings, now=NOW) == 0
    [hazard] = hazards(app)
    assert "禁忌" in hazard.description and "高锰酸钾" in hazard.description


def test_the_period_report_opens_with_openpyxl_and_has_chinese_headers(client):
    store_id = store(client)
    ethanol, permanganate = item(client), item(client, PERMANGANATE)
    ok(move(client, store_id, ethanol, "purchase", 300), 201)
    ok(move(client, store_id, permanganate, "purchase", 50, licence_no="L-1"), 201)
    ok(move(client, store_id, permanganate, "issue", 5, purpose="实验", second_person="王五"), 201)
    response = client.get(
        "/chemical-stores/report.xlsx",
        query_string={"from": "2021-11-01", "to": "2021-11-30"},
        headers=JD,
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    by_store, controlled = book.worksheets
    assert [c.value for c in by_store[2]][:4] == ["单位", "存放点", "危化品", "CAS 号"]
    rows = {r[2]: r for r in by_store.iter_rows(min_row=3, values_only=True)}
    assert rows["高锰酸钾"][6:] == (0, 50, 5, 0, 0, 45)
    assert rows["无水乙醇"][-1] == 300
    assert [r[0] for r in controlled.iter_rows(min_row=3, values_only=True)] == ["易制爆"]
    names, _ = problem(
        client.get(
            "/chemical-stores/report.xlsx",
            query_string={"from": "2021-11-30", "to": "2021-11-01"},
            headers=JD,
        )
    )
    assert names == ["to"]
    outsider = client.get(
        "/chemical-stores/report.xlsx",
        query_string={"from": "2021-11-01", "to": "2021-11-30"},
        headers=XX,
    )
    assert list(openpyxl.load_workbook(io.BytesIO(outsider.data)).worksheets[0].values)[2:] == []


def test_unknown_item_and_store_are_named(client):
    store_id = store(client)
    names, detail = problem(move(client, store_id, "nope", "purchase", 1))
    assert names == ["item_id"] and "目录" in detail
    assert client.get("/chemical-stores/nope", headers=SO).status_code == 404
