from services.education.api.activities import blp as activities_blp
from services.education.api.calendar import blp as calendar_blp
from services.education.api.drills import blp as drills_blp
from services.education.api.enrolment_files import blp as enrolment_files_blp
from services.education.api.labels import blp as labels_blp
from services.education.api.todo import blp as todo_blp
from services.education.psych.api import blp as psych_blp

BLUEPRINTS = [
    activities_blp,
    drills_blp,
    calendar_blp,
    psych_blp,
    todo_blp,
    labels_blp,
    enrolment_files_blp,
]
