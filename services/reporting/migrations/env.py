from services.reporting.models import SCHEMA
from shared.migrations import run_env

run_env(SCHEMA)
