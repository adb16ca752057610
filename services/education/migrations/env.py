from services.education.models import Base
from shared.grid_projection import GridProjectionBase
from shared.migrations import run_env

run_env([Base.metadata, GridProjectionBase.metadata])
