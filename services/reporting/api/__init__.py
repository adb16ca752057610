from services.reporting.api.campaigns import blp as campaigns_blp
from services.reporting.api.flags import blp as flags_blp
from services.reporting.api.labels import blp as labels_blp
from services.reporting.api.todo import blp as todo_blp
from services.reporting.assessment.api import blp as assessment_blp
from services.reporting.incidents.api import blp as incident_statistics_blp
from services.reporting.statistics.api import blp as statistics_blp
from services.reporting.work.api import BLUEPRINTS as WORK_BLUEPRINTS

BLUEPRINTS = [
    statistics_blp,
    campaigns_blp,
    flags_blp,
    *WORK_BLUEPRINTS,
    assessment_blp,
    labels_blp,
    todo_blp,
    incident_statistics_blp,
]
