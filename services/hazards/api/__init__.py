from services.hazards.api.grid import blp as grid_blp
from services.hazards.api.hazards import blp as hazards_blp
from services.hazards.api.labels import blp as labels_blp
from services.hazards.api.todo import blp as todo_blp
from services.hazards.export_jobs.api import blp as exports_blp
from services.hazards.incidents.api import blp as incidents_blp
from services.hazards.office.clues.api import blp as clues_blp
from services.hazards.office.joint_inspections.api import blp as joint_inspections_blp
from services.hazards.office.patrols.api import blp as patrols_blp
from services.hazards.office.patrols.api import routes_blp as patrol_routes_blp
from services.hazards.registers.buildings.api import blp as buildings_blp
from services.hazards.registers.chemicals.api import blp as chemicals_blp
from services.hazards.registers.chemicals.api import stores_blp as chemical_stores_blp
from services.hazards.registers.emergency_plans.api import blp as emergency_plans_blp
from services.hazards.registers.equipment.api import blp as equipment_blp
from services.hazards.registers.food_safety.api import blp as food_safety_blp
from services.hazards.registers.inspections.api import blp as inspections_blp
from services.hazards.registers.inspections.api import checklists_blp
from services.hazards.registers.placements.api import blp as placements_blp
from services.hazards.registers.risks.api import blp as risks_blp
from services.hazards.registers.vehicles.api import blp as vehicles_blp
from services.hazards.registers.vehicles.api import drivers_blp, trips_blp

BLUEPRINTS = [
    hazards_blp,
    exports_blp,
    grid_blp,
    risks_blp,
    checklists_blp,
    inspections_blp,
    equipment_blp,
    labels_blp,
    todo_blp,
    incidents_blp,
    clues_blp,
    joint_inspections_blp,
    patrol_routes_blp,
    patrols_blp,
]
BLUEPRINTS += [vehicles_blp, drivers_blp, trips_blp]  # issue 17: 通勤车、公务车
BLUEPRINTS += [chemicals_blp, chemical_stores_blp]  # issue 17: hazardous chemicals (危化品)
BLUEPRINTS.append(placements_blp)  # issue 17: 实训实习、校外社会实践
BLUEPRINTS.append(buildings_blp)  # issue 17: 建筑建档
BLUEPRINTS.append(emergency_plans_blp)  # issue 17: emergency plans (应急预案)
BLUEPRINTS.append(food_safety_blp)  # issue 17: 食品安全
