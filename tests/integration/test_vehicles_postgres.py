"""The vehicles and drivers register on PostgreSQL (issue 17): the flows of the SQLite tests
(tests/unit/test_vehicles_register.py) on the production database — CRUD in scope, refusals
naming their fields, a trip refused for what lapsed, the due lists' SQL, the sweep's one
hazard per lapse (the ledger's unique source_ref), the .xlsx."""

from __future__ import annotations

import pytest

from services.registry import create_app
from tests.unit import test_vehicles_register as vehicles

pytestmark = pytest.mark.integration


@pytest.fixture
def app(databases, amqp_url, tmp_path):
    config = {
        "database_url": databases.urls["hazards"],
        "amqp_url": amqp_url,
        "files_dir": str(tmp_path / "files"),
    }
    return vehicles.seed(create_app("hazards", config))


@pytest.mark.parametrize(
    "flow",
    [
        vehicles.test_vehicles_and_drivers_crud_in_scope,
        vehicles.test_bad_input_is_a_4xx_naming_the_field_in_chinese,
        vehicles.test_a_trip_by_a_lapsed_vehicle_or_driver_is_refused_naming_what_lapsed,
        vehicles.test_the_register_exports_as_xlsx_with_chinese_headers,
    ],
    ids=lambda flow: flow.__name__.removeprefix("test_"),
)
def test_the_register_on_postgresql(app, flow):
    flow(app.test_client())


def test_the_sweep_on_postgresql(app):
    vehicles.test_the_sweep_opens_one_hazard_per_lapse_and_none_on_a_second_run(
        app.test_client(), app
    )
