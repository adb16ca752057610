"""The placement register on PostgreSQL (issue 17): the flows of the SQLite tests
(tests/unit/test_placements.py) on the production database — CRUD in scope, refusals naming
their fields, a start refused for what is missing, the due list's SQL, the sweep's one
hazard per lapse (the ledger's unique source_ref, within its length), the .xlsx."""

from __future__ import annotations

import pytest

from services.registry import create_app
from tests.unit import test_placements as placements

pytestmark = pytest.mark.integration


@pytest.fixture
def app(databases, amqp_url, tmp_path):
    config = {
        "database_url": databases.urls["hazards"],
        "amqp_url": amqp_url,
        "files_dir": str(tmp_path / "files"),
    }
    return placements.seed(create_app("hazards", config))


@pytest.mark.parametrize(
    "flow",
    [
        placements.test_crud_in_the_units_scope,
        placements.test_bad_input_is_422_naming_the_field,
        placements.test_a_start_without_agreement_insurance_or_briefing_is_refused_naming_them,
        placements.test_the_due_list_shows_what_is_missing_before_the_start,
        placements.test_the_export_opens_with_openpyxl_with_chinese_headers,
    ],
    ids=lambda flow: flow.__name__.removeprefix("test_"),
)
def test_the_register_on_postgresql(app, flow):
    flow(app.test_client())


@pytest.mark.parametrize(
    "flow",
    [
        placements.test_the_sweep_opens_one_hazard_per_lapse_and_none_on_a_second_run,
        placements.test_insurance_running_out_under_way_opens_a_hazard_once,
    ],
    ids=lambda flow: flow.__name__.removeprefix("test_"),
)
def test_the_sweep_on_postgresql(app, flow):
    flow(app.test_client(), app)
