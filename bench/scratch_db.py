"""The benchmarks' own PostgreSQL databases: created for a run, dropped at its end.

Shared by ``api_load.py``, ``pipeline.py`` and ``statistics.py``. They import it as
``scratch_db`` when run as ``python bench/<name>.py`` (bench/ is then ``sys.path[0]``, hence
a name no standard or installed module has) and as ``bench.scratch_db`` when imported as
``bench.<name>`` (gunicorn imports ``bench.api_load`` from the repository root). Only the
standard library at the top level, as for ``api_load.py``: psycopg is imported when used.
"""

from __future__ import annotations

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def create_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    """Drop ``name`` (if it exists), ending the sessions still connected to it first."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
