"""seed the shipped daily-inspection checklists (editable data afterwards)

Revision ID: 0005
Revises: 0004
"""

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEED = Path(__file__).resolve().parents[2] / "data" / "checklists.json"

# Frozen shape of the table at this revision (not the ORM model, which may change later).
templates = sa.table(
    "checklist_templates",
    sa.column("id", sa.String),
    sa.column("code", sa.String),
    sa.column("category", sa.String),
    sa.column("name", sa.String),
    sa.column("items", sa.JSON),
    sa.column("active", sa.Boolean),
    sa.column("version", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    existing = {row[0] for row in op.get_bind().execute(sa.select(templates.c.code))}
    now = datetime.now(UTC)
    rows = [
        {
            "id": str(uuid.uuid4()),
            "code": entry["code"],
            "category": entry["category"],
            "name": entry["name"],
            "items": entry["items"],
            "active": True,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for entry in json.loads(SEED.read_text(encoding="utf-8"))
        if entry["code"] not in existing
    ]
    if rows:
        op.bulk_insert(templates, rows)


def downgrade() -> None:
    codes = [entry["code"] for entry in json.loads(SEED.read_text(encoding="utf-8"))]
    op.execute(templates.delete().where(templates.c.code.in_(codes)))
