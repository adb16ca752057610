"""我的待办 in the grid (GET /todo, issue 15): a place without its 网格负责人 or 网格安全员
today waits for whoever assigns its people — the security office, its unit's manager —
and leaves the list once filled."""

from __future__ import annotations

from datetime import date

from tests.support.fixtures import bearer
from tests.unit.test_grid_api import JD_MANAGER, SO, XX_MANAGER, grid, ok, person  # noqa: F401


def gaps(client, who) -> dict[str, str]:
    """cell id → title of each gap waiting for ``who``."""
    answer = ok(client.get("/todo", headers=who))
    return {i["target"]["cell_id"]: i["title"] for i in answer["items"]}


def test_a_place_without_its_people_waits_for_its_units_manager(grid):  # noqa: F811
    ids = grid.ids
    assert set(gaps(grid, JD_MANAGER)) == {ids["building"], ids["floor"]}  # JD's places only
    assert set(gaps(grid, XX_MANAGER)) == {ids["dorm"]}
    assert set(gaps(grid, SO)) == {ids["building"], ids["floor"], ids["dorm"]}
    assert gaps(grid, bearer("grid_staff", unit="JD")) == {}  # staff do not assign
    assert gaps(grid, JD_MANAGER)[ids["floor"]] == "3层：缺网格负责人、网格安全员"

    head = person(grid, "张伟", "13800000001")
    today = date.today().isoformat()
    body = {
        "cell_id": ids["floor"],
        "person_id": head["id"],
        "role": "head",
        "effective_from": today,
    }
    ok(grid.post("/assignments", json=body, headers=JD_MANAGER), 201)
    assert gaps(grid, JD_MANAGER)[ids["floor"]] == "3层：缺网格安全员"
    officer = person(grid, "李娜", "13800000002")
    body = {**body, "person_id": officer["id"], "role": "safety_officer"}
    ok(grid.post("/assignments", json=body, headers=JD_MANAGER), 201)
    assert ids["floor"] not in gaps(grid, JD_MANAGER)  # filled: it leaves the list
