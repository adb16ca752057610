"""我的待办 for the registers' lapses (issue 17): a lapsed vehicle, an unsafe building and a
placement whose start came with something missing wait on the to-do of the security office
and of the unit's manager, never of another unit's; each item opens the record's page."""

from __future__ import annotations

from services.console import create_app
from services.console.views.dashboard import todo_link
from tests.unit import test_buildings_register as buildings
from tests.unit import test_placements as placements
from tests.unit import test_vehicles_register as vehicles


def todo(client, who) -> list[dict]:
    return buildings.ok(client.get("/todo", headers=who))["items"]


def titles(items: list[dict], kind: str) -> list[str]:
    return [item["title"] for item in items if item["kind"] == kind]


def test_a_lapsed_vehicle_waits_on_its_keepers_to_do(make_app):
    client = vehicles.seed(make_app("hazards")).test_client()
    made = vehicles.vehicle(client)  # 年检 2022-06-30, 保险 2022-03-31: both lapsed today
    vehicles.vehicle(client, plate="甘A00001", inspection="2099-01-01", insurance="2099-01-01")
    mine = todo(client, vehicles.JD)
    assert titles(mine, "vehicle_lapsed") == ["甘A12345：车辆年检已过期、车辆保险已过期"]
    item = next(i for i in mine if i["kind"] == "vehicle_lapsed")
    assert item["overdue"] and item["target"] == {"vehicle_id": made["id"]}
    assert titles(todo(client, vehicles.SO), "vehicle_lapsed") == titles(mine, "vehicle_lapsed")
    assert titles(todo(client, vehicles.XX), "vehicle_lapsed") == []
    assert titles(todo(client, vehicles.STAFF), "vehicle_lapsed") == []  # not his to renew


def test_an_unsafe_building_waits_on_its_keepers_to_do(make_app):
    client = buildings.seed_places(make_app("hazards")).test_client()
    made = buildings.building(client, appraisal_grade="D")
    buildings.building(client, cell="b2")  # grade B, due 2029: nothing waits
    mine = todo(client, buildings.JD)
    assert titles(mine, "building_unsafe") == ["1号教学楼：危房（C/D级）"]
    assert titles(todo(client, buildings.XX), "building_unsafe") == []
    item = next(i for i in mine if i["kind"] == "building_unsafe")
    assert item["target"] == {"building_id": made["id"]}


def test_a_placement_started_without_its_papers_waits_on_the_to_do(make_app):
    client = placements.seed(make_app("hazards")).test_client()
    placements.placement(client)  # started 2021-11-15 with nothing of what a start needs
    listed = titles(todo(client, placements.JD), "placement_blocked")
    missing = "缺接收单位安全协议、覆盖实训实习期间的保险、行前安全教育"
    assert listed == [f"2021级机电专业跟岗实习（兰州机床厂）：{missing}"]
    assert titles(todo(client, placements.XX), "placement_blocked") == []


def test_each_register_item_opens_its_record_in_the_console():
    app = create_app({"secret_key": "test-secret-key-0123456789"})
    with app.test_request_context("/"):
        opened = {
            key: todo_link("hazards", "lapse", {key: "x1"})
            for key in ("vehicle_id", "driver_id", "building_id", "placement_id", "plan_id")
        }
    assert opened == {
        "vehicle_id": "/registers/vehicles/x1",
        "driver_id": "/registers/vehicles/drivers/x1",
        "building_id": "/registers/buildings/x1",
        "placement_id": "/registers/placements/x1",
        "plan_id": "/registers/emergency-plans/x1",
    }
