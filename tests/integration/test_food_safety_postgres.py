"""The food-safety register on PostgreSQL (issue 17): the flows of the SQLite tests
(tests/unit/test_food_safety_register.py) on the production database — CRUD in scope,
refusals naming their fields, the sweep's one hazard per lapse (the ledger's unique
source_ref, within its length; the sweep's row locks), the .xlsx."""

from __future__ import annotations

import pytest

from services.registry import create_app
from tests.unit import test_food_safety_register as food

pytestmark = pytest.mark.integration


@pytest.fixture
def app(databases, amqp_url, tmp_path):
    config = {
        "database_url": databases.urls["hazards"],
        "amqp_url": amqp_url,
        "files_dir": str(tmp_path / "files"),
    }
    return food.seed(create_app("hazards", config))


@pytest.mark.parametrize(
    "flow",
    [
        food.test_outlets_certificates_and_records_by_their_actors,
        food.test_bad_input_is_a_4xx_naming_the_field_in_chinese,
        food.test_the_register_exports_as_xlsx_with_chinese_headers,
    ],
    ids=lambda flow: flow.__name__.removeprefix("test_"),
)
def test_the_register_on_postgresql(app, flow):
    flow(app.test_client())


def test_the_sweep_on_postgresql(app):
    food.test_the_sweep_opens_one_hazard_per_lapse_once(app.test_client(), app)
