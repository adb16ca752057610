"""Periodic work of the hazard worker: the overdue / late-acceptance / major-unresolved
sweep, and hazards for special equipment whose periodic inspection (定期检验) fell due
unrecorded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from services.hazards import commands
from services.hazards.export_jobs.commands import purge as purge_exports
from services.hazards.registers.buildings.commands import run_building_sweep
from services.hazards.registers.chemicals.commands import run_chemicals_sweep
from services.hazards.registers.emergency_plans.drills import run_plan_sweep
from services.hazards.registers.equipment.commands import run_equipment_sweep
from services.hazards.registers.food_safety.commands import run_food_sweep
from services.hazards.registers.placements.commands import run_placement_sweep
from services.hazards.registers.vehicles.sweep import run_vehicles_sweep
from shared.config import Settings
from shared.db import unit_of_work
from shared.timeutil import utcnow


def run_sweep(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    with unit_of_work(factory) as session:
        return commands.sweep(session, now or utcnow(), commands.policy_of(settings))


def run_export_purge(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    """Ledger exports and their files a day after they finished."""
    return purge_exports(factory, settings, now)


TASKS = [run_sweep, run_equipment_sweep, run_export_purge]
TASKS.append(run_vehicles_sweep)  # issue 17: 车辆与驾驶人到期
TASKS.append(run_chemicals_sweep)  # issue 17: incompatible chemicals stored together (危化品)
TASKS.append(run_placement_sweep)  # issue 17: placements starting unready (实训实习)
TASKS.append(run_building_sweep)  # issue 17: unsafe (C/D) or lapsed appraisals (建筑鉴定)
TASKS.append(run_plan_sweep)  # issue 17: emergency plans undrilled or unreviewed (应急预案)
TASKS.append(run_food_sweep)  # issue 17: food-safety lapses (食品安全)
