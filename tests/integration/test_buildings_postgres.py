"""The buildings register on PostgreSQL (issue 17): the flows of the SQLite tests
(tests/unit/test_buildings_register.py) on the production database — one record per place,
the due list and the JSON risk-flag filter, the refusals naming their fields, the drawing,
the .xlsx, and the sweep's one major hazard per unsafe or lapsed appraisal however often it
runs (the ledger's uq_hazards_source_ref, the sweep's row locks)."""

from __future__ import annotations

import inspect

import pytest

from services.registry import create_app
from tests.unit import test_buildings_register as buildings

pytestmark = pytest.mark.integration


@pytest.fixture
def app(databases, amqp_url, tmp_path):
    config = {
        "database_url": databases.urls["hazards"],
        "amqp_url": amqp_url,
        "files_dir": str(tmp_path / "files"),
    }
    return buildings.seed_places(create_app("hazards", config))


@pytest.mark.parametrize(
    "flow",
    [
        buildings.test_a_unit_manager_puts_its_building_on_file_and_edits_it,
        buildings.test_the_due_list_finds_lapsed_soon_and_unsafe_buildings,
        buildings.test_the_drawing_is_uploaded_and_downloaded,
        buildings.test_construction_sites_with_isolation_and_end_dates,
        buildings.test_the_register_exports_as_xlsx_with_chinese_headers,
        buildings.test_the_sweep_opens_one_major_hazard_per_unsafe_or_lapsed_appraisal_once,
    ],
    ids=lambda flow: flow.__name__.removeprefix("test_"),
)
def test_the_register_on_postgresql(app, flow):
    client = app.test_client()
    wanted = inspect.signature(flow).parameters
    flow(**{k: v for k, v in {"client": client, "app": app}.items() if k in wanted})


def test_bad_input_is_refused_naming_the_field_on_postgresql(app):
    client = app.test_client()
    for extra, field in (({"appraisal_grade": None}, "appraisal_grade"), ({"floors": 0}, "floors")):
        buildings.test_bad_input_is_422_naming_the_field_in_chinese(client, extra, field)
