"""Replaying every event into an empty reporting database reproduces the same flags,
statuses, persons, days late and scores."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from services.reporting import commands, flags
from services.reporting.api import assessment as assessment_api
from services.reporting.models import CampaignPhase, CampaignTask, Flag
from services.reporting.sweeps import run_phase_sweep, run_sweep
from shared.auth import SECURITY_OFFICE, UNIT_MANAGER, Principal
from shared.events.catalog import serialize_data
from shared.events.envelope import Envelope
from shared.testing.fixtures import bearer
from shared.testing.reporting import hazard_event
from tests.scenarios.accountability.reporting_world import TZ, World, at

SO = bearer("security_office", sub="office")
OFFICE = Principal("office", "安全保卫处", frozenset({SECURITY_OFFICE}), None)
WINDOW_DAYS = 10


def grid_event(event_type: str, subject: str, data: dict[str, Any]) -> Envelope:
    return Envelope(
        event_type,
        1,
        "grid",
        subject,
        1,
        serialize_data(event_type, 1, data),
        occurred_at=datetime(2021, 9, 1, tzinfo=UTC),
    )


def grid_events() -> list[Envelope]:
    """The units of the campaign, JD's and XX's own cells and heads, a lab with a head."""
    events = [
        grid_event("unit.changed", code, {"code": code, "name": name, "kind": kind})
        for code, name, kind in (
            ("JD", "机电工程学院", "college"),
            ("XX", "信息工程学院", "college"),
            ("CW", "财务处", "office"),
            ("BWC", "安全保卫处", "office"),
        )
    ]
    for unit, head in (("JD", "李院长"), ("XX", "王院长"), ("BWC", "赵处长")):
        cell = f"cell-{unit.lower()}"
        events.append(
            grid_event(
                "cell.changed",
                cell,
                {
                    "cell_id": cell,
                    "code": unit,
                    "name": unit,
                    "level": 2,
                    "parent_id": None,
                    "unit_code": unit,
                    "area_type": "teaching",
                    "location": None,
                },
            )
        )
        events.append(
            grid_event(
                "assignment.changed",
                f"a-{cell}",
                {
                    "assignment_id": f"a-{cell}",
                    "cell_id": cell,
                    "person_id": f"p-{unit}",
                    "person_name": head,
                    "role": "head",
                    "effective_from": date(2021, 9, 1),
                    "effective_to": None,
                },
            )
        )
    events.append(
        grid_event(
            "cell.changed",
            "lab",
            {
                "cell_id": "lab",
                "code": "JD-LAB",
                "name": "实训楼",
                "level": 3,
                "parent_id": "cell-jd",
                "unit_code": "JD",
                "area_type": "lab",
                "location": None,
            },
        )
    )
    events.append(
        grid_event(
            "assignment.changed",
            "a-lab",
            {
                "assignment_id": "a-lab",
                "cell_id": "lab",
                "person_id": "p-lab",
                "person_name": "实验室主任",
                "role": "head",
                "effective_from": date(2021, 9, 1),
                "effective_to": None,
            },
        )
    )
    return events


def hazard_events() -> list[Envelope]:
    """Hazards whose flags take every turn: overdue then fixed late, overdue then extended,
    a major hazard left unresolved, one overdue and still open, one fixed in time."""
    late, extended, major, open_, in_time = ("H-LATE", "H-EXT", "H-MAJOR", "H-OPEN", "H-OK")

    def e(kind, seq, hazard, day, hour=10, **state):
        return hazard_event(kind, seq, hazard, occurred_at=at(day, hour), **state)

    d1, d2 = "2021-11-20", "2021-11-30"
    remediation = {"status": "in_remediation"}
    return [
        e("hazard.created", 1, late, "2021-11-10", cell_id="lab"),
        e("hazard.registered", 2, late, "2021-11-11", status="registered", deadline=d1),
        e("hazard.overdue", 3, late, "2021-11-21", 1, deadline=d1, overdue=True, **remediation),
        e(
            "hazard.closed",
            6,
            late,
            "2021-11-27",
            status="closed",
            deadline=d1,
            closed_at=at("2021-11-26"),
        ),
        e("hazard.created", 1, extended, "2021-11-10", unit_code="XX"),
        e(
            "hazard.overdue",
            3,
            extended,
            "2021-11-21",
            1,
            unit_code="XX",
            deadline=d1,
            overdue=True,
            **remediation,
        ),
        e("hazard.deadline_extended", 4, extended, "2021-11-24", unit_code="XX", deadline=d2),
        e("hazard.created", 1, major, "2021-11-12", severity="major"),
        e("hazard.major_unresolved", 3, major, "2021-12-13", 1, severity="major", **remediation),
        e("hazard.created", 1, open_, "2021-11-12"),
        e("hazard.overdue", 3, open_, "2021-11-21", 1, deadline=d1, overdue=True, **remediation),
        e("hazard.created", 1, in_time, "2021-11-12", unit_code="XX"),
        e(
            "hazard.closed",
            5,
            in_time,
            "2021-11-18",
            unit_code="XX",
            status="closed",
            deadline=d1,
            closed_at=at("2021-11-17"),
        ),
    ]


@dataclass
class Timeline:
    """The reporting service's own steps, at their own times (the sweeps, submissions,
    decisions and explanations people made): replayed as they happened."""

    steps: list[tuple] = field(default_factory=list)

    def run(self, world: World) -> None:
        for step, *args in self.steps:
            getattr(self, f"_{step}")(world, *args)

    def _sweep(self, world: World, now: datetime) -> None:
        run_sweep(world.session, world.settings, now)
        run_phase_sweep(world.session, world.settings, now)

    def _submit(self, world: World, unit: str, due: int, now: datetime) -> None:
        manager = Principal(f"m-{unit}", unit, frozenset({UNIT_MANAGER}), unit)
        with world.session() as session:
            commands.submit(session, manager, world.campaign_id, world.dues[due].id, unit, now, TZ)
            session.commit()

    def _flag(self, world: World, rule: str, unit: str, hazard: str = "") -> str:
        with world.session() as session:
            return session.scalars(
                select(Flag.id).where(
                    Flag.rule == rule,
                    Flag.unit_code == unit,
                    Flag.cause_key.contains(hazard),
                )
            ).one()

    def _explain(self, world: World, rule: str, unit: str, hazard: str, now: datetime) -> None:
        manager = Principal(f"m-{unit}", unit, frozenset({UNIT_MANAGER}), unit)
        flag_id = self._flag(world, rule, unit, hazard)
        with world.session() as session:
            flags.explain(session, manager, flag_id, "已整改", now, window())
            session.commit()

    def _decide(self, world: World, rule: str, unit: str, status: str, now: datetime) -> None:
        flag_id = self._flag(world, rule, unit)
        with world.session() as session:
            flags.decide(session, OFFICE, flag_id, status, "认定", now, window())
            session.commit()


def window() -> timedelta:
    return timedelta(days=WINDOW_DAYS)


def id_names(world: World) -> dict[str, str]:
    """The campaign's own ids (due dates, phases, tasks: new ids in every database) and
    what they are, to compare cause keys across databases."""
    with world.session() as session:
        names = {d.id: f"due {d.due_on}" for d in world.dues}
        names |= {p.id: f"phase {p.code}" for p in session.scalars(select(CampaignPhase))}
        names |= {t.id: f"task {t.number}" for t in session.scalars(select(CampaignTask))}
    return names


def stable(names: dict[str, str], text: str) -> str:
    for key, name in names.items():
        text = text.replace(key, name)
    return text


def result(world: World, monkeypatch) -> tuple[list, list]:
    """The flags as a unit would contest them, and every unit's score."""
    names = id_names(world)
    with world.session() as session:
        rows = session.scalars(select(Flag)).all()
        by_id = {f.id: f.cause_key for f in rows}
        found = sorted(
            (
                stable(names, f.cause_key),
                f.rule,
                f.unit_code,
                f.status,
                f.person_name,
                f.person_basis,
                f.days_late,
                stable(names, by_id.get(f.superseded_by) or ""),
                f.raised_at,
                f.resolved_at is not None,
                f.decided_at,
            )
            for f in rows
        )
    monkeypatch.setattr(assessment_api, "now", lambda: at("2022-01-10"))
    body = world.client.get(f"/campaigns/{world.campaign_id}/assessment", headers=SO).get_json()
    scores = sorted((r["unit_code"], r["score"], r["deduction"]) for r in body["units"])
    return found, scores


def timeline() -> Timeline:
    return Timeline(
        [
            ("sweep", at("2021-11-23", 1)),  # 未报送 for every unit without a table
            ("submit", "JD", 0, at("2021-11-24")),  # late: supersedes JD's 未报送
            ("submit", "XX", 1, at("2021-12-05")),  # in time for the second due date
            ("explain", "overdue_hazard", "JD", "H-OPEN", at("2021-11-25")),
            ("decide", "missing_submission", "CW", "confirmed", at("2021-11-26")),
            ("sweep", at("2021-12-31", 1)),  # phases and the remaining due dates
        ]
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_replaying_every_event_into_an_empty_database_gives_the_same_flags(
    make_app, monkeypatch, tmp_path, seed
):
    """督导问责 must hold up: the flags, their statuses, the persons named, the days late
    and the year-end scores are a function of what happened, not of how the events
    travelled. The first database got the events as they happened, the sweeps and the
    people's steps in between; an empty one gets the grid's events, then every other event
    again in a shuffled order (duplicates included), then the same steps at the same times."""
    grid, hazards = grid_events(), hazard_events()
    live = World(make_app("reporting"), monkeypatch, grid_units=False)
    live.feed(*grid)
    steps = timeline()
    # As it happened: events up to each step's time, then the step.
    pending = sorted(hazards, key=lambda e: e.occurred_at)
    for step in steps.steps:
        when = step[-1]
        due, pending = (
            [e for e in pending if e.occurred_at <= when],
            [e for e in pending if e.occurred_at > when],
        )
        if due:
            live.feed(*due)
        Timeline([step]).run(live)
    if pending:
        live.feed(*pending)
    expected = result(live, monkeypatch)
    assert expected[0], "the history raised flags"
    assert {row[3] for row in expected[0]} >= {"open", "resolved_late", "superseded", "confirmed"}

    (tmp_path / "replay").mkdir()
    replay = World(_fresh_app(tmp_path), monkeypatch, grid_units=False)
    replay.feed(*grid)
    again = hazards + random.Random(seed).sample(hazards, 4)  # some delivered twice
    random.Random(seed).shuffle(again)
    for i in range(0, len(again), 3):
        replay.feed(*again[i : i + 3])
    steps.run(replay)
    got = result(replay, monkeypatch)
    for row in set(got[0]) ^ set(expected[0]):
        print("DIFF", "replay" if row in got[0] else "live", row)
    assert set(got[0]) ^ set(expected[0]) == set()
    assert got == expected


def _fresh_app(tmp_path):
    """A second reporting database in its own folder (make_app names files by service)."""
    from services.registry import create_app
    from shared.migrations import upgrade
    from tests.unit.conftest import UNREACHABLE_BROKER

    url = f"sqlite:///{tmp_path / 'replay' / 'reporting.db'}"
    upgrade("reporting", url)
    return create_app("reporting", {"database_url": url, "amqp_url": UNREACHABLE_BROKER})
