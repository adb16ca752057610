"""The security office's registers on PostgreSQL (issue 16): the flows of the SQLite tests
(tests/unit/test_office_*.py) on the production database — clues with their access log and
to-do, a joint inspection's finding opening one hazard, a patrol's missed place and its one
hazard however often a finding is posted (the ledger's uq_hazards_source_ref on
PostgreSQL), each register's refusals naming their fields."""

from __future__ import annotations

import pytest

from services.hazards.api import hazards as hazards_api
from services.hazards.office.clues import api as clue_api
from services.registry import create_app
from tests.support.office import seed_grid
from tests.unit import test_office_clues as clues
from tests.unit import test_office_joint_inspections as joint
from tests.unit import test_office_patrols as patrols

pytestmark = pytest.mark.integration


@pytest.fixture
def client(databases, amqp_url, tmp_path, monkeypatch):
    monkeypatch.setattr(clue_api, "now", lambda: clues.TODAY)
    monkeypatch.setattr(hazards_api, "now", lambda: clues.TODAY)
    config = {
        "database_url": databases.urls["hazards"],
        "amqp_url": amqp_url,
        "files_dir": str(tmp_path / "files"),
        "clue_follow_up_days": 7,
    }
    return seed_grid(create_app("hazards", config)).test_client()


@pytest.mark.parametrize(
    "flow",
    [
        clues.test_a_clue_handed_over_is_followed_up_to_its_outcome,
        clues.test_only_the_security_office_touches_clues_and_every_read_is_logged,
        clues.test_list_filters_and_a_clue_without_follow_up_on_the_offices_todo,
        joint.test_a_joint_inspection_finding_opens_a_hazard_with_its_source,
        joint.test_bad_records_are_refused_naming_the_field,
        joint.test_kept_by_the_office_read_by_campus_wide_readers,
        patrols.test_a_patrol_that_missed_a_place_lists_it,
        patrols.test_a_finding_on_patrol_opens_one_hazard_idempotently,
        patrols.test_routes_and_patrols_are_kept_by_their_actors_only,
    ],
    ids=lambda flow: flow.__name__.removeprefix("test_"),
)
def test_the_registers_on_postgresql(client, flow):
    flow(client)
