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
from services.reporting.assessment import api as assessment_api
from services.reporting.models import CampaignPhase, CampaignTask, Flag
from services.reporting.sweeps import run_phase_sweep, run_sweep
from shared.events.envelope import Envelope
from shared.events.outbox import OutboxMessage
from shared.principal import SECURITY_OFFICE, UNIT_MANAGER, Principal
from tests.scenarios.accountability.hazard_world import REMEDIATION, SO, SO2, Ledger
from tests.scenarios.accountability.reporting_world import TZ, World, at
from tests.support import events
from tests.support.fixtures import bearer

OFFICE = Principal("office", "安全保卫处", frozenset({SECURITY_OFFICE}), None)
WINDOW_DAYS = 10


def grid_event(event_type: str, subject: str, data: dict[str, Any]) -> Envelope:
    before_the_campaign = datetime(2021, 9, 1, tzinfo=UTC)
    return events.grid_event(event_type, subject, data, occurred_at=before_the_campaign)


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


def hazard_events(ledger: Ledger) -> tuple[list[Envelope], dict[str, str]]:
    """Hazards whose flags take every turn, acted on through the hazard ledger's own API
    and sweep at fixed times; returns everything it announced (its outbox) and the
    hazards' ids by name. Overdue then fixed late; overdue then extended; awaiting
    acceptance too long; a major hazard with no plan; overdue and still open."""
    ledger.place("JD", "lab", "实训楼")
    xx = bearer("unit_manager", unit="XX", sub="manager-XX")
    ids = {}
    ledger.on("2021-11-11")
    ids["late"] = ledger.in_remediation("2021-11-20", cell_id="lab")["id"]
    ids["extended"] = ledger.report(xx, unit_code="XX")["id"]
    ledger.step(ids["extended"], "register", {"deadline": "2021-11-20"}, xx)
    ledger.step(ids["extended"], "report", who=xx)
    ledger.step(ids["extended"], "start-remediation", REMEDIATION, xx)
    ids["open"] = ledger.in_remediation("2021-11-20")["id"]
    ids["acceptance"] = ledger.in_remediation("2021-11-30")["id"]
    ids["major"] = ledger.report(severity="major")["id"]
    ledger.step(ids["major"], "register", {"deadline": "2021-12-31", "severity": "major"})
    ledger.on("2021-11-15")
    ledger.step(ids["acceptance"], "rectify", {"evidence": "已清理"})  # due in 3 working days
    ledger.sweep("2021-11-21", 1)  # overdue ×3, acceptance late, no plan for the major one
    ledger.on("2021-11-23")
    asked = ledger.post(
        f"/hazards/{ids['extended']}/extensions",
        {"new_deadline": "2021-12-10", "reason": "设备到货延迟"},
        SO,
    ).get_json()
    ledger.on("2021-11-24")
    ledger.post(f"/hazards/extensions/{asked['id']}/decision", {"approve": True}, SO2)
    ledger.step(ids["acceptance"], "accept", who=SO)
    ledger.on("2021-11-25")
    ledger.step(ids["late"], "rectify", {"evidence": "已清理"})
    ledger.on("2021-11-26")
    ledger.step(ids["late"], "accept", who=SO)
    ledger.step(ids["late"], "close", who=SO)
    ledger.sweep("2021-12-31", 1)  # the extended one overdue again, on its new deadline
    with ledger.session() as session:
        bodies = session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id))
        events = [Envelope.from_json(body) for body in bodies]
    assert {e.type for e in events} >= {
        "hazard.overdue",
        "hazard.deadline_extended",
        "hazard.acceptance_overdue",
        "hazard.major_unresolved",
        "hazard.closed",
    }
    return events, ids


@dataclass
class Timeline:
    """The reporting service's own steps, at their own times (the sweeps, submissions,
    decisions and explanations people made): replayed as they happened."""

    steps: list[tuple] = field(default_factory=list)
    hazards: dict[str, str] = field(default_factory=dict)  # hazard ids by name

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
        flag_id = self._flag(world, rule, unit, self.hazards[hazard])
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


def timeline(hazards: dict[str, str]) -> Timeline:
    return Timeline(
        hazards=hazards,
        steps=[
            ("sweep", at("2021-11-23", 1)),  # 未报送 for every unit without a table
            ("submit", "JD", 0, at("2021-11-24")),  # late: supersedes JD's 未报送
            ("submit", "XX", 1, at("2021-12-05")),  # in time for the second due date
            ("explain", "overdue_hazard", "JD", "open", at("2021-11-25")),
            ("decide", "missing_submission", "CW", "confirmed", at("2021-11-26")),
            ("sweep", at("2021-12-31", 1)),  # phases and the remaining due dates
        ],
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
    grid = grid_events()
    hazards, ids = hazard_events(Ledger(make_app("hazards"), monkeypatch))
    live = World(make_app("reporting"), monkeypatch, grid_units=False)
    live.feed(*grid)
    steps = timeline(ids)
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
        Timeline([step], ids).run(live)
    if pending:
        live.feed(*pending)
    expected = result(live, monkeypatch)
    assert expected[0], "the history raised flags"
    statuses = {(row[1], row[3]) for row in expected[0]}
    assert statuses >= {
        ("overdue_hazard", "open"),
        ("overdue_hazard", "resolved_late"),
        ("late_acceptance", "resolved_late"),
        ("major_unresolved", "open"),
        ("missing_submission", "superseded"),
        ("missing_submission", "confirmed"),
        ("late_submission", "open"),
    }

    (tmp_path / "replay").mkdir()
    replay = World(_fresh_app(tmp_path), monkeypatch, grid_units=False)
    replay.feed(*grid)
    again = hazards + random.Random(seed).sample(hazards, 4)  # some delivered twice
    random.Random(seed).shuffle(again)
    for i in range(0, len(again), 3):
        replay.feed(*again[i : i + 3])
    steps.run(replay)
    got = result(replay, monkeypatch)
    assert set(got[0]) ^ set(expected[0]) == set()  # the flags that differ, if any
    assert got == expected


def _fresh_app(tmp_path):
    """A second reporting database in its own folder (make_app names files by service)."""
    from services.registry import create_app
    from tests.support.databases import migrated_sqlite
    from tests.unit.conftest import UNREACHABLE_BROKER

    url = migrated_sqlite("reporting", tmp_path / "replay" / "reporting.db")
    return create_app("reporting", {"database_url": url, "amqp_url": UNREACHABLE_BROKER})
