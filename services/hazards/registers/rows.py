"""Row helpers the registers' use cases share: load or 404, apply a PATCH, read columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from shared.errors import NotFound

# What ``get_or_404`` calls each record in its 404.
LABELS = {
    "risk point": "风险点",
    "checklist": "检查表",
    "equipment": "特种设备",
    "inspection": "检查记录",
}


def get_or_404(session: Session, model: type, key: str, label: str, lock: bool = False) -> Any:
    obj = session.get(model, key, with_for_update=lock)
    if obj is None:
        raise NotFound(f"{LABELS.get(label, label)} {key} 不存在")
    return obj


def apply_changes(obj: Any, changes: Mapping[str, Any]) -> bool:
    """Set the attributes that differ; True if any did (the caller bumps the version)."""
    changed = False
    for key, value in changes.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def columns(obj: Any) -> dict[str, Any]:
    """A row as a dict, for views that add computed fields beside the stored ones."""
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}
