from services.hazards.models import SCHEMA
from shared.migrations import run_env

run_env(SCHEMA)
