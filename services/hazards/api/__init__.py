from services.hazards.api.grid import blp as grid_blp
from services.hazards.api.hazards import blp as hazards_blp

BLUEPRINTS = [hazards_blp, grid_blp]
