"""Hazards migration 0017 (the chemicals register) goes up from 0016 with the ledger's
hazards kept and its tables empty, and the register's rows survive the revisions after it."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from shared.migrations import upgrade

HAZARD_ROW = """
INSERT INTO hazards (
    id, number, unit_code, cell_id, category, severity, status, description, found_by,
    found_at, quick_fix, reopen_count, source, major_unresolved_notified, version,
    created_at, updated_at
) VALUES (
    'h1', 'YH-2026-00001', 'JD', 'cell-1', 'lab_chemicals', 'general', 'in_remediation',
    '化工实训室试剂柜未上锁', 'u-1', '2026-11-08 09:00:00', 0, 0, 'report', 0, 1,
    '2026-11-08 09:00:00', '2026-11-08 09:00:00'
)
"""
STAMPS = "'office', 1, '2026-12-01 09:00:00', '2026-12-01 09:00:00'"
REGISTER_ROWS = (
    "INSERT INTO chemical_items (id, name, cas_no, hazard_class, precursor, "
    "explosive_precursor, highly_toxic, measure, created_by, version, created_at, updated_at) "
    f"VALUES ('i1', '无水乙醇', '64-17-5', 'flammable', 0, 0, 0, 'mL', {STAMPS})",
    "INSERT INTO chemical_stores (id, unit_code, cell_id, name, capacity, segregation_class, "
    "keeper_name, created_by, version, created_at, updated_at) "
    f"VALUES ('s1', 'JD', 'cell-1', '危化品柜', 1000, 'flammable', '李明', {STAMPS})",
    "INSERT INTO chemical_movements (id, store_id, item_id, unit_code, kind, quantity, delta, "
    "occurred_on, counterparty, recorded_by, recorded_at) VALUES ('m1', 's1', 'i1', 'JD', "
    "'purchase', 500, 500, '2026-12-01', '兰州化学试剂公司', 'office', '2026-12-01 09:00:00')",
)
TABLES = ("chemical_items", "chemical_stores", "chemical_movements", "chemical_counts")


def test_the_chemicals_migration_keeps_the_hazards_and_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'hazards.db'}"
    upgrade("hazards", url, "0016")
    with create_engine(url).begin() as conn:
        conn.execute(text(HAZARD_ROW))
    upgrade("hazards", url, "0017")
    with create_engine(url).begin() as conn:
        kept = conn.execute(text("SELECT number, description FROM hazards")).all()
        assert [tuple(row) for row in kept] == [("YH-2026-00001", "化工实训室试剂柜未上锁")]
        for table in TABLES:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
        for row in REGISTER_ROWS:
            conn.execute(text(row))
    upgrade("hazards", url)
    with create_engine(url).begin() as conn:
        balance = conn.execute(text("SELECT sum(delta) FROM chemical_movements")).scalar()
        assert balance == 500
        assert conn.execute(text("SELECT count(*) FROM hazards")).scalar() == 1
