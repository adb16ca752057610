"""Hazards migration 0021 (the food-safety register) goes up from 0016 with the ledger's
hazards kept, and its tables start empty."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from shared.migrations import upgrade
from tests.unit.test_office_ledgers_migrations import HAZARD_ROW

NEW_TABLES = ("food_outlets", "food_certificates", "food_daily_records")


def test_the_food_safety_migration_keeps_the_hazards(tmp_path):
    url = f"sqlite:///{tmp_path / 'hazards.db'}"
    upgrade("hazards", url, "0016")
    with create_engine(url).begin() as conn:
        conn.execute(text(HAZARD_ROW))
    upgrade("hazards", url)
    with create_engine(url).begin() as conn:
        kept = conn.execute(text("SELECT number, description FROM hazards")).all()
        assert [tuple(row) for row in kept] == [("YH-2026-00001", "3号楼消防通道堆放杂物")]
        for table in NEW_TABLES:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
