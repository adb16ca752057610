"""Issue 16's hazards migrations (0015 incidents, 0016 the office's registers) go up from
the schema before them with the ledger's hazards kept, and their tables start empty."""

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
NEW_TABLES = (
    "incidents",
    "incident_reports",
    "clues",
    "clue_follow_ups",
    "joint_inspections",
    "joint_findings",
    "patrol_routes",
    "patrols",
    "patrol_check_ins",
    "patrol_findings",
)


def test_the_office_ledgers_migrations_keep_the_hazards(tmp_path):
    url = f"sqlite:///{tmp_path / 'hazards.db'}"
    upgrade("hazards", url, "0014")
    with create_engine(url).begin() as conn:
        conn.execute(text(HAZARD_ROW))
    upgrade("hazards", url)
    with create_engine(url).begin() as conn:
        kept = conn.execute(text("SELECT number, description FROM hazards")).all()
        assert [tuple(row) for row in kept] == [("YH-2026-00001", "3号楼消防通道堆放杂物")]
        for table in NEW_TABLES:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
