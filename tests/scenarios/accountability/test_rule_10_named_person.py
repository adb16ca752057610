"""Rule 10 — a flag always names a person, and says which rule chose them."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from tests.scenarios.accountability.reporting_world import World, at
from tests.support.fixtures import bearer
from tests.support.reporting import hazard_event

SO = bearer("security_office", sub="office")


@pytest.fixture
def world(make_app, monkeypatch):
    return World(make_app("reporting"), monkeypatch)


def overdue(cell_id: str | None, **state):
    return hazard_event(
        "hazard.overdue",
        5,
        str(uuid.uuid4()),
        occurred_at=at("2021-11-21", 1),
        status="in_remediation",
        overdue=True,
        deadline="2021-11-20",
        cell_id=cell_id,
        **state,
    )


def test_the_place_holder_else_the_units_head_on_that_day(world):
    """网格化管理 — 落实网格负责人: the flag names the holder of the hazard's place on the
    day it became late; a place with nobody, or no place at all, names the head of the
    unit on that day (not the rectifier, not today's head) and says so."""
    world.head("JD", "老院长", since=date(2021, 9, 1))
    with world.session() as session:  # the head changed on 2021-12-01: after the fact
        from shared.grid_projection import GridAssignment

        session.get(GridAssignment, "a-cell-jd").effective_to = date(2021, 12, 1)
        session.add(
            GridAssignment(
                assignment_id="a-new-head",
                cell_id="cell-jd",
                person_id="p-new",
                person_name="新院长",
                role="head",
                effective_from=date(2021, 12, 1),
                effective_to=None,
                last_sequence=1,
            )
        )
        session.commit()
    world.place("lab-1", "JD", holder="实验室主任")
    world.place("lab-2", "JD", holder=None)
    world.feed(overdue("lab-1"), overdue("lab-2"), overdue(None))
    named = {f.evidence["event_id"]: f for f in world.flags("overdue_hazard")}
    by_cell = {}
    for flag in named.values():
        got = world.client.get(f"/flags/{flag.id}", headers=SO).get_json()
        by_cell[flag.cause_key] = (got["person_name"], got["person_basis"])
    assert sorted(by_cell.values()) == sorted(
        [
            ("实验室主任", "place_holder"),
            ("老院长", "unit_head"),  # lab-2 has nobody: the unit's head that day
            ("老院长", "unit_head"),  # no place named
        ]
    )
    one = world.client.get(f"/flags/{world.flags()[0].id}", headers=SO).get_json()
    assert one["person_basis_label"]  # said in words, in Chinese
    assert "责任人" in one["history"][0]["text"]


def test_a_unit_the_grid_has_nobody_for_falls_back_to_the_rectifier_and_says_so(world):
    """With nobody in the grid for the unit that day, the hazard's 整改责任人 is named."""
    world.feed(overdue(None, responsible_person_name="王整改", responsible_person_id="p-w"))
    [flag] = world.flags("overdue_hazard")
    assert (flag.person_name, flag.person_basis) == ("王整改", "rectifier")


def test_a_late_table_names_the_units_head(world):
    """报送统计表 is the unit's duty: its head that day answers for a missing table."""
    from services.reporting.sweeps import run_sweep

    world.head("XX", "信息院长")
    run_sweep(world.session, world.settings, at("2021-11-23", 1))
    [flag] = [f for f in world.flags("missing_submission") if f.unit_code == "XX"]
    assert (flag.person_name, flag.person_basis) == ("信息院长", "unit_head")
