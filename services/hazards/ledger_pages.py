"""The ledger list's pages at any size (issue 18): keyset (cursor) pages and a bounded count.

A page ends with a cursor naming its last (or first) hazard by the list's key, newest
first: (``found_at``, ``number``) — ``number`` is unique, so the key is total and a page
after a cursor is "the hazards older than that one". Following cursors costs the same on the
500th page as on the first (an index range, never an OFFSET over the pages before), and a
hazard reported between two requests neither repeats a row nor skips one.

Page numbers (``page``: OFFSET) stay for the clients that send them; their pages carry
cursors too, so a client may switch at any page.

The total is counted exactly up to ``EXACT_COUNT_BOUND``; past it, PostgreSQL's planner
estimate of the filtered statement is given instead (never below what was counted; not
counted at all when the estimate is far past the bound; nor when counting takes longer
than ``COUNT_BUDGET_MS``), and the page says so (``total_exact``). Counting a million
rows on every page was most of a deep page's time; no one reads "1,000,000" and
"约 1,000,000" differently.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ClauseElement, Executable, Select, func, literal_column, select, tuple_
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session

from services.hazards.models import Hazard
from shared.errors import BadRequest

EXACT_COUNT_BOUND = 10_000
# A count that takes longer is given up for the estimate: a filter no index serves, with
# few matches, reads most of the ledger to find them (a major hazard overdue: 260 ms of a
# million); PostgreSQL cancels it (SQLSTATE 57014).
COUNT_BUDGET_MS = 40
QUERY_CANCELED = "57014"
# Below this planner cost (a few thousand hazards read at most) a count is never slow: it
# runs without the budget, so a small ledger's total is always exact, however busy the
# machine (a cancelled count there would show 约 for no reason).
COST_WORTH_A_BUDGET = 5_000.0
# The planner's estimate is taken as "past the bound" without counting above this many
# times the bound (its estimates of these equality filters are within a few percent).
ESTIMATE_TRUSTED = 2
CURSOR = "cursor"  # the query parameter
AFTER, BEFORE = "a", "b"  # older than the key (下一页), newer than the key (上一页)
# A hazard's number as the service writes them (YH-…): printable, no NUL for PostgreSQL.
_NUMBER = re.compile(r"[\w\-]{1,32}")
NEWEST_FIRST = (Hazard.found_at.desc(), Hazard.number.desc())
OLDEST_FIRST = (Hazard.found_at.asc(), Hazard.number.asc())


@dataclass(frozen=True)
class Cursor:
    direction: str  # AFTER or BEFORE
    found_at: datetime
    number: str


@dataclass
class Page:
    hazards: list[Hazard]
    next_cursor: str | None
    prev_cursor: str | None


def encode(direction: str, hazard: Hazard) -> str:
    """An opaque cursor: the key of ``hazard``, URL-safe (it travels in query strings)."""
    raw = json.dumps([direction, hazard.found_at.astimezone(UTC).isoformat(), hazard.number])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(text: str) -> Cursor:
    """The cursor a page gave; anything else (edited, cut short) is a 400 naming ``cursor``."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        direction, found, number = json.loads(raw)
        found_at = datetime.fromisoformat(found).astimezone(UTC)  # naive: local, refused below
        if direction not in (AFTER, BEFORE) or not isinstance(number, str):
            raise ValueError(direction)
        if not found.endswith("+00:00") or not _NUMBER.fullmatch(number):
            raise ValueError(found)
    except (ValueError, TypeError, OverflowError, binascii.Error):
        reason = "翻页位置无效（可能被修改或已截断），请从第一页重新翻页"
        raise BadRequest(
            f"请求的内容有误：{CURSOR}：{reason}",
            invalid_params=[{"name": CURSOR, "reason": reason, "location": "query"}],
        ) from None
    return Cursor(direction, found_at, number)


def keyset_page(session: Session, stmt: Select, cursor: Cursor | None, size: int) -> Page:
    """The ``size`` hazards of ``stmt`` after (or before) ``cursor``, newest first, and the
    cursors of the pages on either side (None where there is no page)."""
    key = (cursor.found_at, cursor.number) if cursor is not None else None
    if cursor is not None and cursor.direction == BEFORE:
        newer_first = stmt.where(_sort_key() > key).order_by(*OLDEST_FIRST).limit(size + 1)
        rows = list(session.scalars(newer_first))
        newer = len(rows) > size
        hazards = rows[:size][::-1]
        older = True  # the hazard the cursor named, at least
    else:
        if cursor is not None:
            stmt = stmt.where(_sort_key() < key)
        rows = list(session.scalars(stmt.order_by(*NEWEST_FIRST).limit(size + 1)))
        hazards, older, newer = rows[:size], len(rows) > size, cursor is not None
    return _page(hazards, older=older, newer=newer)


def offset_page(session: Session, stmt: Select, first: int, size: int) -> Page:
    """Page by number (``first`` rows skipped), for the clients that send ``page``."""
    rows = list(session.scalars(stmt.order_by(*NEWEST_FIRST).offset(first).limit(size + 1)))
    return _page(rows[:size], older=len(rows) > size, newer=first > 0)


def _page(hazards: list[Hazard], *, older: bool, newer: bool) -> Page:
    if not hazards:
        return Page(hazards, None, None)
    return Page(
        hazards,
        encode(AFTER, hazards[-1]) if older else None,
        encode(BEFORE, hazards[0]) if newer else None,
    )


def _sort_key() -> Any:
    """The list's key as one SQL row value: a row comparison the indexes' ranges serve."""
    return tuple_(Hazard.found_at, Hazard.number)


def bounded_count(session: Session, stmt: Select, bound: int | None = None) -> tuple[int, bool]:
    """(total, exact): exact up to ``bound`` rows; past it on PostgreSQL the planner's
    estimate, never below ``bound + 1``. Other databases (SQLite, tests) count exactly.

    The estimate comes first (a plan, no rows read): past ``ESTIMATE_TRUSTED`` × ``bound``
    the count is not run at all. Finding ``bound`` rows of a filter its indexes do not
    serve (a lead department's stage, say) reads the table until they are found, hundreds
    of milliseconds over a million hazards, to learn what the plan already says."""
    bound = EXACT_COUNT_BOUND if bound is None else bound
    unordered = stmt.order_by(None)
    if session.get_bind().dialect.name != "postgresql":
        return session.scalar(select(func.count()).select_from(unordered.subquery())), True
    # A column of no type: the plan's JSON comes back as the driver reads it, not through
    # the processor of the statement's first column.
    rows = unordered.with_only_columns(literal_column("1")).select_from(Hazard)
    plan = _as_json(session.execute(Explain(rows)).scalar())[0]["Plan"]
    estimate = int(plan["Plan Rows"])
    if estimate > ESTIMATE_TRUSTED * bound:
        return estimate, False
    # Only a key column: the count can be an index-only scan of the filters' indexes.
    limited = unordered.with_only_columns(Hazard.found_at).limit(bound + 1).subquery()
    count = select(func.count()).select_from(limited)
    if float(plan["Total Cost"]) < COST_WORTH_A_BUDGET:
        counted: int | None = session.scalar(count)
    else:
        counted = _count_within(session, count)
    if counted is None:  # filters no index serves, few matches: the plan's word for it
        return estimate, False
    if counted <= bound:
        return counted, True
    return max(estimate, bound + 1), False


def _count_within(session: Session, count: Select) -> int | None:
    """``count``'s answer, or None when it takes longer than ``COUNT_BUDGET_MS``. Only in
    an autocommit connection (a web read session): a statement cancelled inside a
    transaction would abort it."""
    connection = session.connection()
    if not getattr(connection.connection.dbapi_connection, "autocommit", False):
        return session.scalar(count)
    connection.exec_driver_sql(f"SET statement_timeout = {COUNT_BUDGET_MS}")
    try:
        return session.scalar(count)
    except sa_exc.OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != QUERY_CANCELED:
            raise
        return None
    finally:
        connection.exec_driver_sql("RESET statement_timeout")


def _as_json(plan: Any) -> Any:
    return json.loads(plan) if isinstance(plan, str | bytes) else plan


class Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON)`` of a statement, its parameters bound as the statement's
    own (the UTC timestamps' processing included)."""

    inherit_cache = False

    def __init__(self, statement: Select) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _explain(element: Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)
