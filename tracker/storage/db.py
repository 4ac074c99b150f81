"""Engines, sessions and automatic migration.

SQLite is the embedded default (WAL, one writer per process); PostgreSQL
(`postgresql+psycopg://…`) serves many users. Every command that changes data calls
`open_database()`, which creates or migrates the schema, so no separate init step exists.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session

from tracker.domain.errors import TrackerError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseError(TrackerError, RuntimeError):
    pass


def default_url() -> str:
    directory = Path(user_data_dir("govmedia-tracker", appauthor=False))
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'tracker.db'}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str, schema: str | None = None) -> Engine:
    """An engine for `url`. `schema` (PostgreSQL only) sets the search_path, used by tests."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"not a database URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
        return create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    raise DatabaseError(f"unsupported database backend {parsed.get_backend_name()!r}: use sqlite or postgresql+psycopg")


def _alembic_config(connection):  # noqa: ANN001, ANN202
    from alembic.config import Config  # imported here: alembic costs start-up time of every command

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (one linear history since 0005_one_history)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.begin() as connection:
        config = _alembic_config(connection)
        heads = set(ScriptDirectory.from_config(config).get_heads())
        current = set(MigrationContext.configure(connection).get_current_heads())
        if current != heads:
            command.upgrade(config, "head")


@dataclass
class Database:
    engine: Engine
    url: str
    _write_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction for writing; SQLite writers of this process take turns."""
        with self._write_lock, self.session() as session:
            try:
                if self.dialect == "sqlite":
                    # Take the write lock now, not at the first write: a transaction that read
                    # first and then finds another process wrote meanwhile cannot upgrade.
                    session.connection().exec_driver_sql("BEGIN IMMEDIATE")
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None, *, schema: str | None = None, migrate_schema: bool = True) -> Database:
    url = url or default_url()
    engine = make_engine(url, schema=schema)
    if migrate_schema:
        try:
            migrate(engine)
        except DatabaseError:
            raise
        except Exception as exc:  # connection refused, permission denied …
            raise DatabaseError(f"cannot open database {engine.url.render_as_string(hide_password=True)}: {exc}") from exc
    return Database(engine=engine, url=url)


def dialect_insert(db_or_dialect: Database | str) -> Any:
    """The INSERT construct with ON CONFLICT of the database's dialect (PostgreSQL or SQLite)."""
    name = db_or_dialect if isinstance(db_or_dialect, str) else db_or_dialect.dialect
    return pg_insert if name == "postgresql" else sqlite_insert
