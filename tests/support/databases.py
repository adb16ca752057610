"""Migrated SQLite databases for tests, fast: each service's real Alembic chain runs once
per test process into a template file, and every test gets its own copy of that file.

Running the whole chain per test cost most of the unit suite's time; a copy of the file
the same migrations produced is the same database.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from shared.migrations import upgrade


class SqliteTemplates:
    """One migrated SQLite file per service, built on first use under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.built: dict[str, Path] = {}

    def template(self, service: str) -> Path:
        if service not in self.built:
            path = self.root / f"{service}.db"
            upgrade(service, f"sqlite:///{path}")
            # The engine uses WAL: fold the log into the file so a plain copy is complete.
            conn = sqlite3.connect(path)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
            self.built[service] = path
        return self.built[service]

    def url(self, service: str, path: Path) -> str:
        """A copy of the service's migrated database at ``path``; its SQLAlchemy URL."""
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.template(service), path)
        return f"sqlite:///{path}"


_templates: SqliteTemplates | None = None


def templates() -> SqliteTemplates:
    """The test process's templates (a temporary folder removed when the process ends)."""
    global _templates
    if _templates is None:
        root = Path(tempfile.mkdtemp(prefix="campus-sqlite-templates-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _templates = SqliteTemplates(root)
    return _templates


def migrated_sqlite(service: str, path: Path) -> str:
    """A freshly migrated ``service`` database at ``path`` (a copy of the template); its URL."""
    return templates().url(service, path)


@pytest.fixture(scope="session")
def sqlite_templates() -> SqliteTemplates:
    """The session's migrated SQLite templates (``.url(service, path)`` copies one)."""
    return templates()
