from services.province.models import SCHEMA
from shared.migrations import run_env

run_env(SCHEMA)
