"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL.

PostgreSQL tests read TRACKER_TEST_PG_URL (default: the local server). They skip when it is
unreachable, unless TRACKER_REQUIRE_PG=1 (CI), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tracker.storage.db import Database, open_database

PG_URL = os.environ.get("TRACKER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATA = Path(__file__).parent / "data"


def _pg_conninfo() -> str:
    return PG_URL.replace("postgresql+psycopg://", "postgresql://", 1)


def _pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(_pg_conninfo(), connect_timeout=3):
            return None
    except Exception as exc:
        return str(exc)


_PG_PROBLEM: str | bool | None = False  # False = not probed yet


def require_pg() -> None:
    global _PG_PROBLEM
    if _PG_PROBLEM is False:
        _PG_PROBLEM = _pg_available()
    if _PG_PROBLEM:
        message = f"PostgreSQL not reachable at {PG_URL}: {_PG_PROBLEM}"
        if os.environ.get("TRACKER_REQUIRE_PG") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A URL whose search_path is a fresh, empty schema (dropped afterwards)."""
    require_pg()
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for an empty database, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture
def cli(db_url: str):
    """`tracker --db <this test's database> ARGS…` through CliRunner; asserts the exit code."""
    from typer.testing import CliRunner

    from tracker.cli.main import app

    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(app, ["--db", db_url, *args])
        assert result.exit_code == code, (result.output, result.stderr)
        return result

    return run


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An open, migrated database, once per backend."""
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Iterator[Database]:
    database = open_database(sqlite_url)
    yield database
    database.dispose()
