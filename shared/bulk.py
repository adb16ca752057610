"""Many rows in one PostgreSQL statement with one parameter: a JSON array the server turns
into rows of the table's type (``json_populate_recordset``: json, which PostgreSQL reads
as it goes, where jsonb would first be converted).

Why not a multi-row VALUES (SQLAlchemy's insertmanyvalues)? Its text and its parameters
grow with the rows: psycopg parses such a statement anew each time (it caches statements
of at most 4 KB and 50 parameters) and PostgreSQL plans it anew. Here the text is the same
for every batch: psycopg parses it once and PostgreSQL runs it as a prepared statement.
The consumer writes its projections, counters and inbox rows this way, every batch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, TextClause, text


@lru_cache(maxsize=4096)  # a batch's counter rows share a few days: each written once
def _encode(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # as UTCDateTime: a naive moment would be read as local
            raise ValueError("naive datetime given to a UTC column")
        # With its offset: PostgreSQL reads the same moment (timestamptz columns).
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot travel as JSON")


def rows_json(rows: Iterable[dict[str, Any]]) -> str:
    """The rows as the statement's ``:rows`` parameter."""
    return json.dumps(list(rows), default=_encode, ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=64)
def insert_rows(
    table: Table,
    columns: Sequence[str],
    conflict: str = "",
    order_by: str | None = None,
) -> TextClause:
    """INSERT INTO table (columns) SELECT columns FROM the JSON rows ``:rows`` [ORDER BY
    order_by] ``conflict`` (an ON CONFLICT … / RETURNING … tail), built once per shape.
    Columns absent from a row are NULL (a column default does not apply)."""
    return text(insert_rows_sql(table, columns, conflict, order_by))


def insert_rows_sql(
    table: Table,
    columns: Sequence[str],
    conflict: str = "",
    order_by: str | None = None,
    parameter: str = "rows",
) -> str:
    """``insert_rows``'s SQL, its JSON parameter named ``parameter`` (several such
    statements make one, as writable CTEs: one round trip)."""
    names = ", ".join(columns)
    order = f" ORDER BY {order_by}" if order_by else ""
    return (
        f"INSERT INTO {table.name} ({names}) SELECT {names} "
        f"FROM json_populate_recordset(NULL::{table.name}, CAST(:{parameter} AS json)){order} "
        f"{conflict}"
    )
