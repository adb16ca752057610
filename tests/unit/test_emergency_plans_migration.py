"""Issue 17's emergency-plan migrations go up keeping the data before them: hazards 0019
(from 0016, the ledger's hazards kept, the plan tables empty) and education 0006 (the
activities kept, each without a plan)."""

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
ACTIVITY_ROW = """
INSERT INTO activities (
    id, kind, title, organiser_unit, starts_at, ends_at, status, sign_in_code, version,
    created_by, created_at, updated_at
) VALUES (
    'a1', 'drill', '火灾疏散逃生演练', 'BWC', '2026-11-08 09:00:00', '2026-11-08 10:00:00',
    'planned', 'ABC123', 1, 'u-1', '2026-11-08 09:00:00', '2026-11-08 09:00:00'
)
"""


def test_the_plan_tables_come_from_0016_keeping_the_hazards(tmp_path):
    url = f"sqlite:///{tmp_path / 'hazards.db'}"
    upgrade("hazards", url, "0016")
    with create_engine(url).begin() as conn:
        conn.execute(text(HAZARD_ROW))
    upgrade("hazards", url)
    with create_engine(url).begin() as conn:
        kept = conn.execute(text("SELECT number, description FROM hazards")).all()
        assert [tuple(row) for row in kept] == [("YH-2026-00001", "3号楼消防通道堆放杂物")]
        for table in ("emergency_plans", "emergency_plan_drills"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table


def test_activities_keep_their_rows_and_have_no_plan_after_0006(tmp_path):
    url = f"sqlite:///{tmp_path / 'education.db'}"
    upgrade("education", url, "0005")
    with create_engine(url).begin() as conn:
        conn.execute(text(ACTIVITY_ROW))
    upgrade("education", url)
    with create_engine(url).begin() as conn:
        rows = conn.execute(text("SELECT id, title, plan_id FROM activities")).all()
        assert [tuple(row) for row in rows] == [("a1", "火灾疏散逃生演练", None)]
