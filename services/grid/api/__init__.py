from services.grid.api.assignments import blp as assignments_blp
from services.grid.api.auth import blp as auth_blp
from services.grid.api.cells import blp as cells_blp
from services.grid.api.labels import blp as labels_blp
from services.grid.api.people import blp as people_blp
from services.grid.api.rosters import blp as rosters_blp
from services.grid.api.todo import blp as todo_blp
from services.grid.api.units import blp as units_blp
from services.grid.checks.api import blp as checks_blp
from services.grid.letters.api import blp as letters_blp

BLUEPRINTS = [
    units_blp,
    people_blp,
    cells_blp,
    assignments_blp,
    rosters_blp,
    auth_blp,
    labels_blp,
    todo_blp,
    checks_blp,
    letters_blp,
]
