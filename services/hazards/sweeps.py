"""Periodic work of the hazard worker: the overdue / late-acceptance / major-unresolved
sweep, and hazards for special equipment whose periodic inspection (定期检验) fell due
unrecorded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from services.hazards import commands
from services.hazards.registers.equipment.commands import run_equipment_sweep
from shared.config import Settings
from shared.db import unit_of_work
from shared.timeutil import utcnow


def run_sweep(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    with unit_of_work(factory) as session:
        return commands.sweep(session, now or utcnow(), commands.policy_of(settings))


TASKS = [run_sweep, run_equipment_sweep]
