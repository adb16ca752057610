"""Two issues of a store's last unit at the same moment, on PostgreSQL: the store's row is
locked (SELECT … FOR UPDATE) before its balance is read, so one issue is recorded and the
other refused (422 naming quantity), and the balance stays at zero, never below."""

from __future__ import annotations

import threading

import pytest

from services.registry import create_app
from shared.api import state
from shared.grid_projection import GridCell, GridUnit
from tests.support.fixtures import bearer

pytestmark = pytest.mark.integration

SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
ITEM = {"name": "无水乙醇", "cas_no": "64-17-5", "hazard_class": "flammable", "measure": "瓶"}
STORE = {
    "name": "化工实训室危化品柜",
    "cell_id": "lab",
    "capacity": 100,
    "segregation_class": "flammable",
    "keeper_name": "李明",
}


def run_together(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def app(databases, amqp_url):
    app = create_app("hazards", {"database_url": databases.urls["hazards"], "amqp_url": amqp_url})
    with app.app_context(), state().session_factory() as session, session.begin():
        session.add(GridUnit(code="JD", name="机电工程学院", kind="college", last_sequence=1))
        session.add(
            GridCell(
                cell_id="lab",
                code="JD-LAB",
                name="化工实训室",
                level=3,
                parent_id=None,
                unit_code="JD",
                area_type="teaching",
                location=None,
                last_sequence=1,
            )
        )
    return app


def test_a_concurrent_double_issue_of_the_last_unit_is_refused_for_one(app, databases):
    client = app.test_client()
    item_id = client.post("/chemicals", json=ITEM, headers=SO).get_json()["id"]
    for round_no in range(5):  # several rounds: the race is not won by luck
        store_id = client.post("/chemical-stores", json=STORE, headers=JD).get_json()["id"]
        url = f"/chemical-stores/{store_id}/movements"
        movement = {"item_id": item_id, "quantity": 1, "occurred_on": "2021-11-10"}
        bought = client.post(
            url,
            json={**movement, "kind": "purchase", "counterparty": "兰州化学试剂公司"},
            headers=JD,
        )
        assert bought.status_code == 201, bought.get_json()

        def issue(i: int, url=url, movement=movement):
            body = {**movement, "kind": "issue", "counterparty": f"教师{i}", "purpose": "实验"}
            response = app.test_client().post(url, json=body, headers=JD)
            return response.status_code, response.get_json()

        results = run_together(2, issue)
        assert sorted(status for status, _ in results) == [201, 422], (round_no, results)
        [refused] = [body for status, body in results if status == 422]
        assert [p["name"] for p in refused["invalid_params"]] == ["quantity"]
        balance = databases.scalar(
            "hazards", "SELECT sum(delta) FROM chemical_movements WHERE store_id = :s", s=store_id
        )
        assert balance == 0
