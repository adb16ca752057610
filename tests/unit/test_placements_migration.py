"""Hazards migration 0022 (the placement register) goes up from 0016 with the ledger's
hazards kept; its tables start empty and take a placement with its agreement."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from shared.migrations import upgrade
from tests.unit.test_office_ledgers_migrations import HAZARD_ROW


def test_the_placements_migration_keeps_the_hazards(tmp_path):
    url = f"sqlite:///{tmp_path / 'hazards.db'}"
    upgrade("hazards", url, "0016")
    with create_engine(url).begin() as conn:
        conn.execute(text(HAZARD_ROW))
    upgrade("hazards", url, "0022")
    with create_engine(url).begin() as conn:
        kept = conn.execute(text("SELECT number, description FROM hazards")).all()
        assert [tuple(row) for row in kept] == [("YH-2026-00001", "3号楼消防通道堆放杂物")]
        for table in ("placements", "placement_agreements"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
        conn.execute(
            text(
                "INSERT INTO placements (id, kind, title, unit_code, cell_id, host_name, "
                "leader_name, starts_on, ends_on, student_count, students, status, created_by, "
                "version, created_at, updated_at) VALUES ('p1', 'internship', '跟岗实习', 'JD', "
                "'cell-1', '兰州机床厂', '李老师', '2021-11-15', '2021-12-15', 2, '[]', "
                "'planned', 'u-1', 1, '2021-11-01 00:00:00', '2021-11-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO placement_agreements (id, placement_id, media_type, sha256, "
                "filename, size, uploaded_by, uploaded_at) VALUES ('a1', 'p1', "
                "'application/pdf', 'x', '安全协议.pdf', 1, 'u-1', '2021-11-01 00:00:00')"
            )
        )
