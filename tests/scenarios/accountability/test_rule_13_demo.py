"""Rule 13 — a demo that looks like a real campaign."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from services.cli import main
from services.reporting.models import Campaign, CampaignPhase, ReportingDue
from services.reporting.sweeps import run_sweep
from shared.db import make_engine, make_session_factory
from shared.timeutil import campus_time, utcnow
from tests.scenarios.accountability.reporting_world import World, at
from tests.support.databases import migrated_sqlite
from tests.support.events import grid_event
from tests.support.reporting import seed_grid_units


@pytest.fixture
def fresh(make_app, monkeypatch):
    """A fresh install: the seed campaign, and a grid that knows none of its units yet."""
    return World(make_app("reporting"), monkeypatch, grid_units=False)


def test_units_not_in_the_grid_raise_no_flags_until_the_grid_knows_them(fresh):
    """The campaign lists 14 units; on a fresh install the grid knows none: the sweep after
    the first due date flags nobody (nobody there could answer). A unit joins the
    campaign's flags once the grid knows it."""
    after_due = at("2021-11-23", 1)
    assert run_sweep(fresh.session, fresh.settings, after_due)["missing"] == 0
    assert fresh.flags() == []
    with fresh.session() as session:
        seed_grid_units(session, {"JD": "机电工程学院"})
        session.commit()
    assert run_sweep(fresh.session, fresh.settings, after_due)["missing"] == 1
    assert [(f.rule, f.unit_code) for f in fresh.flags()] == [("missing_submission", "JD")]


def test_seed_campaign_demo_starts_today_with_live_due_dates(tmp_path, monkeypatch):
    """seed-campaign --demo shifts the plan's dates (2021-11-08 …) to start today: the
    first phase deadline is 7 days ahead, the first table is due in 14, as in the plan."""
    url = migrated_sqlite("reporting", tmp_path / "reporting.db")
    monkeypatch.setenv("REPORTING_DATABASE_URL", url)
    education = migrated_sqlite("education", tmp_path / "education.db")
    monkeypatch.setenv("EDUCATION_DATABASE_URL", education)
    result = CliRunner().invoke(main, ["seed-campaign", "--demo"])
    assert result.exit_code == 0, result.output
    today = campus_time(utcnow(), "Asia/Shanghai").date()
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        [campaign] = session.scalars(select(Campaign)).all()
        assert campaign.starts_on == today and "演示" in campaign.name
        deadlines = [
            p.deadline
            for p in session.scalars(select(CampaignPhase).order_by(CampaignPhase.position))
        ]
        dues = [d.due_on for d in session.scalars(select(ReportingDue).order_by("due_on"))]
    engine.dispose()
    assert deadlines == [today + timedelta(days=d) for d in (7, 37, 52)]
    assert dues == [today + timedelta(days=d) for d in (14, 28, 42, 56)]
    again = CliRunner().invoke(main, ["seed-campaign", "--demo"])
    assert again.exit_code == 0 and "already there" in again.output


def test_a_unit_the_grid_announces_mid_campaign_answers_only_for_what_was_due_after(fresh):
    """A unit joins the campaign's flags once the grid knows it: JD, announced by the grid
    on 2021-11-25, is not flagged for the table due 2021-11-22 (before it existed for the
    platform), but is for the one due 2021-12-06."""
    data = {"code": "JD", "name": "机电工程学院", "kind": "college"}
    fresh.feed(grid_event("unit.changed", "JD", data, occurred_at=at("2021-11-25")))
    assert run_sweep(fresh.session, fresh.settings, at("2021-11-26"))["missing"] == 0
    assert run_sweep(fresh.session, fresh.settings, at("2021-12-07", 1))["missing"] == 1
    [flag] = fresh.flags()
    assert (flag.rule, flag.unit_code, flag.evidence["due_on"]) == (
        "missing_submission",
        "JD",
        "2021-12-06",
    )
