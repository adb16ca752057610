"""ledger keyset: the list's filters with its order, for cursor pages over a large ledger

Each index leads with a filter the console's 隐患台账 sends and ends with the list's key
(found_at, number): a filtered page after a cursor is an index range read in order, and
the bounded count an index-only scan. The single-column unit_code and status indexes
become the first columns of their composite (an equality on either is served as before).
A lead department's co-leads (hazard_leads at position > 0) are found by (unit_code,
position), not by reading every hazard it leads.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 04:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_hazards_unit_found": ["unit_code", "found_at", "number"],
    "ix_hazards_unit_status_found": ["unit_code", "status", "found_at", "number"],
    "ix_hazards_status_found": ["status", "found_at", "number"],
    "ix_hazards_category_found": ["category", "found_at", "number"],
}


def upgrade() -> None:
    """Upgrade schema."""
    for name, columns in INDEXES.items():
        op.create_index(name, "hazards", columns, unique=False)
    op.drop_index("ix_hazards_unit_code", table_name="hazards")
    op.drop_index("ix_hazards_status", table_name="hazards")
    op.create_index(
        "ix_hazard_leads_unit_position", "hazard_leads", ["unit_code", "position"], unique=False
    )
    op.drop_index("ix_hazard_leads_unit_code", table_name="hazard_leads")


def downgrade() -> None:
    """Downgrade schema."""
    op.create_index("ix_hazard_leads_unit_code", "hazard_leads", ["unit_code"], unique=False)
    op.drop_index("ix_hazard_leads_unit_position", table_name="hazard_leads")
    op.create_index("ix_hazards_status", "hazards", ["status"], unique=False)
    op.create_index("ix_hazards_unit_code", "hazards", ["unit_code"], unique=False)
    for name in INDEXES:
        op.drop_index(name, table_name="hazards")
