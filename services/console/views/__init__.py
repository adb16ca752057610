"""The console's pages, one blueprint per area."""

from services.console.views.account import blp as account_blp
from services.console.views.buildings import blp as buildings_blp
from services.console.views.chemicals import blp as chemicals_blp
from services.console.views.dashboard import blp as dashboard_blp
from services.console.views.education import blp as education_blp
from services.console.views.emergency_plans import blp as emergency_plans_blp
from services.console.views.food_safety import blp as food_safety_blp
from services.console.views.grid import blp as grid_blp
from services.console.views.grid_import import blp as grid_import_blp
from services.console.views.grid_ledgers import blp as grid_ledgers_blp
from services.console.views.grid_people import blp as grid_people_blp
from services.console.views.hazards import blp as hazards_blp
from services.console.views.incidents import blp as incidents_blp
from services.console.views.office_clues import blp as office_clues_blp
from services.console.views.office_joint import blp as office_joint_blp
from services.console.views.office_patrols import blp as office_patrols_blp
from services.console.views.phase_work import blp as phase_work_blp
from services.console.views.placements import blp as placements_blp
from services.console.views.province import blp as province_blp
from services.console.views.psych import blp as psych_blp
from services.console.views.registers import blp as registers_blp
from services.console.views.reporting import blp as reporting_blp
from services.console.views.vehicles import blp as vehicles_blp

BLUEPRINTS = [
    account_blp,
    dashboard_blp,
    hazards_blp,
    grid_blp,
    grid_people_blp,
    grid_import_blp,
    education_blp,
    reporting_blp,
    phase_work_blp,
    registers_blp,
    psych_blp,
    grid_ledgers_blp,
    incidents_blp,
    office_clues_blp,
    office_joint_blp,
    office_patrols_blp,
]
BLUEPRINTS.append(vehicles_blp)  # issue 17: 通勤车、公务车
BLUEPRINTS.append(buildings_blp)  # issue 17: 建筑建档
BLUEPRINTS.append(placements_blp)  # issue 17: 实训实习
BLUEPRINTS.append(chemicals_blp)  # issue 17: 危化品
BLUEPRINTS.append(food_safety_blp)  # issue 17: 食品安全
BLUEPRINTS.append(emergency_plans_blp)  # issue 17: 应急预案

# CONSOLE_MODE=province: sign-in and the province's pages only (issue 19).
PROVINCE_BLUEPRINTS = [account_blp, province_blp]
