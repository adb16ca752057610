"""A hazard ledger (SQLite, no broker) with a fixed clock for its endpoints and its sweep,
a small grid of its own, and what it announced read back from its outbox."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from services.hazards.api import hazards as hazards_api
from services.hazards.registers.inspections import api as inspections_api
from services.hazards.sweeps import run_sweep
from shared.api import state
from shared.events.envelope import Envelope
from shared.events.outbox import OutboxMessage
from shared.grid_projection import GridCell, GridUnit
from tests.scenarios.accountability.reporting_world import Clock, at
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
SO2 = bearer("security_office", sub="office-deputy")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")  # 机电工程学院
JD2 = bearer("unit_manager", unit="JD", sub="deputy-JD")
BWC = bearer("lead_department", unit="BWC", sub="lead-BWC")  # 安全保卫处: leads fire
JWC = bearer("lead_department", unit="JWC", sub="lead-JWC")  # 教务处: leads laboratories
XCB = bearer("lead_department", unit="XCB", sub="lead-XCB")  # 宣传统战部: leads neither
REMEDIATION = {"responsible_person": "张伟", "measures": "清理通道", "contingency_plan": "专人值守"}
NO_NOTHING = {"overdue": 0, "acceptance_overdue": 0, "major_unresolved": 0}
# A rectification plan (整改计划) of a hazard that cannot be fixed at once.
PLAN = {
    **REMEDIATION,
    "quick_fix": False,
    "deadline": "2022-03-31",
    "rectification_plan": "申请专项经费更换防火门，寒假施工",
    "interim_measures": "通道两侧设警示带，每日巡查两次",
}
FOUND_LONG_AGO = "2021-09-01T09:00:00+08:00"  # before the campaign: not what counts


class Ledger:
    def __init__(self, app, monkeypatch, day: str = "2021-11-20") -> None:
        self.app = app
        self.client = app.test_client()
        self.clock = Clock(at(day))
        monkeypatch.setattr(hazards_api, "now", self.clock)
        monkeypatch.setattr(inspections_api, "now", self.clock)

    def session(self):
        with self.app.app_context():
            return state().session_factory()

    def on(self, day: str, hour: int = 10) -> None:
        """Move the clock to ``hour`` o'clock campus time on ``day``."""
        self.clock.moment = at(day, hour)

    # -- acting over HTTP -------------------------------------------------------------------
    def report(self, who: dict = JD, **fields: Any) -> dict:
        body = {"unit_code": "JD", "category": "fire", "description": "3号楼消防通道堆放杂物"}
        response = self.client.post("/hazards", json={**body, **fields}, headers=who)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def post(self, path: str, body: dict | None = None, who: dict = JD, **headers: str):
        return self.client.post(path, json=body or {}, headers={**who, **headers})

    def step(self, hazard_id: str, path: str, body: dict | None = None, who: dict = JD) -> dict:
        response = self.post(f"/hazards/{hazard_id}/{path}", body, who)
        assert response.status_code == 200, (path, response.get_json())
        return response.get_json()

    def get(self, hazard_id: str, who: dict = SO) -> dict:
        return self.client.get(f"/hazards/{hazard_id}", headers=who).get_json()

    def history(self, hazard_id: str) -> list[dict]:
        return self.client.get(f"/hazards/{hazard_id}/history", headers=SO).get_json()

    def in_remediation(self, deadline: str = "2021-11-30", **fields: Any) -> dict:
        """A JD fire hazard, registered with ``deadline``, reported, in remediation."""
        hazard = self.report(**fields)
        self.step(hazard["id"], "register", {"deadline": deadline})
        self.step(hazard["id"], "report")
        self.step(hazard["id"], "start-remediation", REMEDIATION)
        return hazard

    # -- the worker -------------------------------------------------------------------------
    def sweep(self, day: str, hour: int = 10) -> dict[str, int]:
        with self.app.app_context():
            return run_sweep(state().session_factory, state().settings, at(day, hour))

    def envelopes(self) -> list[Envelope]:
        """Everything the ledger announced, as a consumer receives it, oldest first."""
        with self.session() as session:
            bodies = session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id))
            return [Envelope.from_json(body) for body in bodies]

    def events(self, event_type: str | None = None, subject: str | None = None) -> list[dict]:
        """What the ledger announced (its outbox), oldest first."""
        with self.session() as session:
            bodies = session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id))
            found = [json.loads(body) for body in bodies]
        return [
            e
            for e in found
            if (event_type is None or e["type"] == event_type)
            and (subject is None or e["subject"] == subject)
        ]

    # -- the ledger's copy of the grid --------------------------------------------------------
    def place(self, unit_code: str, cell_id: str, name: str) -> None:
        """A unit (if new) and a place of it in the ledger's grid projection."""
        with self.session() as session:
            if session.get(GridUnit, unit_code) is None:
                session.add(
                    GridUnit(code=unit_code, name=unit_code, kind="college", last_sequence=1)
                )
                session.add(
                    GridCell(
                        cell_id=f"{unit_code}-root",
                        code=unit_code,
                        name=unit_code,
                        level=2,
                        parent_id=None,
                        unit_code=unit_code,
                        area_type="other",
                        last_sequence=1,
                    )
                )
            session.add(
                GridCell(
                    cell_id=cell_id,
                    code=cell_id,
                    name=name,
                    level=3,
                    parent_id=f"{unit_code}-root",
                    unit_code=unit_code,
                    area_type="lab",
                    last_sequence=1,
                )
            )
            session.commit()


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- major hazards and their plans (rule 5) --------------------------------------------------
def major(ledger: Ledger, deadline: str = "2022-03-31") -> dict:
    """A major hazard found long ago, registered (登记评估) on 2021-11-20 and reported."""
    hazard = ledger.report(severity="major", found_at=FOUND_LONG_AGO)
    ledger.step(hazard["id"], "register", {"deadline": deadline})
    ledger.step(hazard["id"], "report")
    return hazard


def approve(ledger: Ledger, hazard_id: str, who: dict, body: dict | None = None, **headers):
    return ledger.post(f"/hazards/{hazard_id}/plan-approval", body, who, **headers)
