"""A reporting service with the 2021 campaign, a grid that knows its units, a fixed clock
for the flag endpoints, and hazard events fed through the worker's own batch apply."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from services.reporting import commands
from services.reporting.api import flags as flags_api
from services.reporting.models import Campaign, CampaignUnit, Flag, ReportingDue
from shared.api import state
from shared.events.envelope import Envelope
from shared.grid_projection import GridAssignment, GridCell
from tests.support.events import feed
from tests.support.handlers import handlers_of
from tests.support.reporting import seed_grid_units, seed_unit_head

EVENT_HANDLERS = handlers_of("reporting")

TZ = "Asia/Shanghai"


def at(day: str, hour: int = 10) -> datetime:
    """``hour`` o'clock campus time (UTC+8) on ``day``, as an aware UTC instant."""
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour, tzinfo=UTC) - (
        datetime(2000, 1, 1, 8, tzinfo=UTC) - datetime(2000, 1, 1, tzinfo=UTC)
    )


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


class World:
    def __init__(self, app, monkeypatch, *, grid_units: bool = True) -> None:
        self.app = app
        self.client = app.test_client()
        self.clock = Clock(at("2021-11-20"))
        monkeypatch.setattr(flags_api, "now", self.clock)
        with self.session() as session:
            commands.load_seed_campaign(session)
            if grid_units:
                units = session.scalars(select(CampaignUnit)).all()
                seed_grid_units(session, {u.unit_code: u.name for u in units})
            session.commit()
            campaign = session.scalars(select(Campaign)).one()
            self.campaign_id = campaign.id
            self.dues = session.scalars(
                select(ReportingDue)
                .where(ReportingDue.campaign_id == campaign.id)
                .order_by(ReportingDue.due_on)
            ).all()

    def session(self):
        with self.app.app_context():
            return state().session_factory()

    @property
    def settings(self):
        with self.app.app_context():
            return state().settings

    def feed(self, *events: Envelope) -> None:
        with self.session() as session:
            feed(session, EVENT_HANDLERS, events)

    def flags(self, rule: str | None = None) -> list[Flag]:
        with self.session() as session:
            stmt = select(Flag).order_by(Flag.raised_at, Flag.cause_key)
            if rule:
                stmt = stmt.where(Flag.rule == rule)
            return list(session.scalars(stmt))

    def head(self, unit: str, person_name: str, since: date = date(2021, 9, 1)) -> None:
        """The unit's own cell and its head (网格负责人) from ``since``."""
        with self.session() as session:
            seed_unit_head(session, unit, unit, f"p-{person_name}", person_name, since)
            session.commit()

    def place(self, cell_id: str, unit: str, holder: str | None = None) -> None:
        """A level-3 place under the unit's own cell, with a head or none."""
        with self.session() as session:
            session.add(
                GridCell(
                    cell_id=cell_id,
                    code=cell_id.upper(),
                    name=cell_id,
                    level=3,
                    parent_id=f"cell-{unit.lower()}",
                    unit_code=unit,
                    area_type="lab",
                    last_sequence=1,
                )
            )
            if holder:
                session.add(
                    GridAssignment(
                        assignment_id=f"a-{cell_id}",
                        cell_id=cell_id,
                        person_id=f"p-{cell_id}",
                        person_name=holder,
                        role="head",
                        effective_from=date(2021, 9, 1),
                        effective_to=None,
                        last_sequence=1,
                    )
                )
            session.commit()
