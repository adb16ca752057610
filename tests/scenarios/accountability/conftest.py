"""Scenario tests of issue 12: SQLite apps as in tests/unit (migrations applied, no broker)."""

from tests.unit.conftest import make_app  # noqa: F401
