from services.hazards.api.hazards import blp as hazards_blp

BLUEPRINTS = [hazards_blp]
