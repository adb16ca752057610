from services.hazards.api.equipment import blp as equipment_blp
from services.hazards.api.grid import blp as grid_blp
from services.hazards.api.hazards import blp as hazards_blp
from services.hazards.api.inspections import blp as inspections_blp
from services.hazards.api.inspections import checklists_blp
from services.hazards.api.risks import blp as risks_blp

BLUEPRINTS = [hazards_blp, grid_blp, risks_blp, checklists_blp, inspections_blp, equipment_blp]
