from services.reporting.api.statistics import blp as statistics_blp

BLUEPRINTS = [statistics_blp]
