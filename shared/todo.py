"""The to-do answer every service gives (GET /todo): one shape, so the console merges the
four lists without knowing any service's rules. Each service decides what waits for the
caller (its domain's "who acts now" and its access rules); this module only carries it.

An item: ``kind`` (the step, a code) and ``kind_label`` (its words), ``title`` (what it is
about, for a person), ``due_on`` (the campus date it is due, if any), ``overdue``, and
``target`` (the ids the console needs to link to the page where the step is taken).
``counts`` gives every kind's total, also past ``limit`` items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from marshmallow import Schema, fields

# Items one answer carries at most (the counts still cover all of them).
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class TodoItem:
    kind: str
    kind_label: str
    title: str
    due_on: date | None
    overdue: bool
    target: dict[str, str] = field(default_factory=dict)


def sort_key(item: TodoItem) -> tuple[bool, date, str]:
    """Soonest due first (overdue ones are the earliest); items without a date last."""
    return (item.due_on is None, item.due_on or date.max, item.title)


@dataclass(frozen=True)
class TodoCount:
    """How many steps of one kind wait, counted where the items are too many to list."""

    kind: str
    kind_label: str
    count: int
    overdue: int


def todo_answer(
    service: str,
    items: list[TodoItem],
    limit: int = DEFAULT_LIMIT,
    counted: list[TodoCount] | None = None,
) -> dict[str, Any]:
    """The answer: the first ``limit`` items by due date and every kind's count. A kind in
    ``counted`` was counted by the service (its ``items`` may be only the first ones);
    the other kinds are counted from ``items``."""
    ordered = sorted(items, key=sort_key)
    counts: dict[str, dict[str, Any]] = {c.kind: dict(c.__dict__) for c in counted or []}
    for item in ordered:
        if any(c.kind == item.kind for c in counted or []):
            continue
        entry = counts.setdefault(
            item.kind, {"kind": item.kind, "kind_label": item.kind_label, "count": 0, "overdue": 0}
        )
        entry["count"] += 1
        entry["overdue"] += int(item.overdue)
    return {
        "service": service,
        "total": sum(c["count"] for c in counts.values()),
        "items": ordered[:limit],
        "counts": [c for c in counts.values() if c["count"]],
    }


class TodoItemSchema(Schema):
    kind = fields.String(required=True, metadata={"description": "the step (a code)"})
    kind_label = fields.String(required=True, metadata={"description": "the step's words"})
    title = fields.String(required=True)
    due_on = fields.Date(allow_none=True, metadata={"description": "campus date it is due"})
    overdue = fields.Boolean(required=True)
    target = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "the ids of the page where the step is taken"},
    )


class TodoCountSchema(Schema):
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    count = fields.Integer(required=True)
    overdue = fields.Integer(required=True)


class TodoSchema(Schema):
    service = fields.String(required=True)
    total = fields.Integer(required=True, metadata={"description": "every item, past the limit"})
    items = fields.List(fields.Nested(TodoItemSchema), required=True)
    counts = fields.List(fields.Nested(TodoCountSchema), required=True)
