"""Hazards migration 0018 (buildings on file, 建筑建档) goes up from 0016 with the ledger's
hazards kept, and its tables start empty and take a building."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from shared.migrations import upgrade

HAZARD_ROW = """
INSERT INTO hazards (
    id, number, unit_code, cell_id, category, severity, status, description, found_by,
    found_at, quick_fix, reopen_count, source, major_unresolved_notified, version,
    created_at, updated_at
) VALUES (
    'h1', 'YH-2026-00001', 'JD', 'cell-1', 'fire', 'general', 'in_remediation',
    '3号楼消防通道堆放杂物', 'u-1', '2026-11-08 09:00:00', 0, 0, 'report', 0, 1,
    '2026-11-08 09:00:00', '2026-11-08 09:00:00'
)
"""
BUILDING_ROW = """
INSERT INTO buildings (
    id, cell_id, unit_code, name, structure, use, risk_flags, created_by, version,
    created_at, updated_at
) VALUES (
    'b1', 'cell-1', 'JD', '3号教学楼', 'frame', 'teaching', '["lightning"]', 'u-1', 1,
    '2026-12-06 02:00:00', '2026-12-06 02:00:00'
)
"""


def test_the_buildings_migration_keeps_the_hazards(tmp_path):
    url = f"sqlite:///{tmp_path / 'hazards.db'}"
    upgrade("hazards", url, "0016")
    with create_engine(url).begin() as conn:
        conn.execute(text(HAZARD_ROW))
    upgrade("hazards", url, "0018")
    with create_engine(url).begin() as conn:
        kept = conn.execute(text("SELECT number, description FROM hazards")).all()
        assert [tuple(row) for row in kept] == [("YH-2026-00001", "3号楼消防通道堆放杂物")]
        for table in ("buildings", "building_sites"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
        conn.execute(text(BUILDING_ROW))
    upgrade("hazards", url)  # the later slots keep it too
    with create_engine(url).begin() as conn:
        assert conn.execute(text("SELECT name FROM buildings")).scalar() == "3号教学楼"
