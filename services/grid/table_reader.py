"""The roster import's reader: ``shared.table_reader`` (the education service's class-list
import reads with it too), under its old name."""

from shared.table_reader import (  # noqa: F401 (re-exported)
    MAX_COLUMNS,
    MAX_FIELD_CHARS,
    MAX_LINES,
    MAX_SHARED_STRINGS,
    TableError,
    TableTooLarge,
    TableUnreadable,
    read_rows,
)
