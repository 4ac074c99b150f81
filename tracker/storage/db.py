"""Engines, sessions and automatic migration.

SQLite is the embedded default (WAL, one writer per process); PostgreSQL
(`postgresql+psycopg://…`) serves many users. Every command that changes data calls
`open_database()`, which creates or migrates the schema, so no separate init step exists.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session

from tracker.domain.errors import TrackerError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseError(TrackerError, RuntimeError):
    pass


def default_url() -> str:
    directory = Path(user_data_dir("govmedia-tracker", appauthor=False))
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'tracker.db'}"


_BUSY_TIMEOUT_MS = 30000  # statements outside Database.write (reads in WAL mode hardly ever wait)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
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


def _alembic_config(connection):
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


DEFAULT_LOCK_TIMEOUT = 120.0  # seconds; `[database] lock_timeout_seconds`
_LOCK_FIRST_MS = 200  # a first try waits this long before saying anything
_LOCK_POLL_MS = 500  # then SQLite's own busy handler waits this long between our checks
_LOCK_WAITING = {
    "zh": "数据库被其他进程占用，等待中…（最多 {timeout:g} 秒）",
    "en": "the database is locked by another process, waiting… (at most {timeout:g} s)",
}
_LOCK_GAVE_UP = {
    "zh": "数据库被其他进程占用超过 {timeout:g} 秒，未写入；请稍后重试（等待时间见配置 [database] lock_timeout_seconds）",
    "en": "the database stayed locked by another process for over {timeout:g} s; nothing was written, try again "
          "later (the wait is [database] lock_timeout_seconds)",
}


class DatabaseLocked(DatabaseError):
    """Another process held SQLite's write lock for longer than the configured wait."""


def _is_locked(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "database is busy" in text


def _stderr_notice(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Database:
    engine: Engine
    url: str
    _write_lock: threading.Lock = field(default_factory=threading.Lock)
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    lang: str = "zh"
    notice: Callable[[str], None] = _stderr_notice  # where "waiting for the lock" goes
    _noticed_at: float = field(default=-1e9, repr=False)

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
                    self._begin_immediate(session)
                yield session
                session.commit()
            except BaseException as exc:
                session.rollback()
                if self.dialect == "sqlite" and isinstance(exc, OperationalError) and _is_locked(exc):
                    raise DatabaseLocked(self._message(_LOCK_GAVE_UP)) from exc
                raise

    def _message(self, messages: dict[str, str]) -> str:
        return messages.get(self.lang, messages["en"]).format(timeout=self.lock_timeout)

    def _begin_immediate(self, session: Session) -> None:
        """BEGIN IMMEDIATE, waiting up to `lock_timeout` while another process writes: the one
        place every SQLite write of every command waits, says so on stderr, and gives up with a
        one-line error. The caller's work so far (an evaluated check) is kept while it waits."""
        connection = session.connection()
        raw = connection.connection.driver_connection
        assert raw is not None  # a checked-out connection always has its sqlite3 connection
        deadline = time.monotonic() + self.lock_timeout
        # A first short try: a moment's contention (another command's commit) says nothing.
        raw.execute(f"PRAGMA busy_timeout={min(_LOCK_FIRST_MS, int(self.lock_timeout * 1000))}")
        try:
            while True:
                try:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                    return
                except OperationalError as exc:
                    if not _is_locked(exc):
                        raise
                    now = time.monotonic()
                    if now - self._noticed_at > 30:  # once per wait, not once per write of a poll
                        self._noticed_at = now
                        self.notice(self._message(_LOCK_WAITING))
                    remaining = deadline - now
                    if remaining <= 0:
                        raise DatabaseLocked(self._message(_LOCK_GAVE_UP)) from exc
                    raw.execute(f"PRAGMA busy_timeout={max(1, min(_LOCK_POLL_MS, int(remaining * 1000)))}")
        finally:
            raw.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None, *, schema: str | None = None, migrate_schema: bool = True,
                  lock_timeout: float = DEFAULT_LOCK_TIMEOUT, lang: str = "zh") -> Database:
    url = url or default_url()
    engine = make_engine(url, schema=schema)
    if migrate_schema:
        try:
            migrate(engine)
        except DatabaseError:
            raise
        except Exception as exc:  # connection refused, permission denied …
            raise DatabaseError(f"cannot open database {engine.url.render_as_string(hide_password=True)}: {exc}") from exc
    return Database(engine=engine, url=url, lock_timeout=lock_timeout, lang=lang)


def dialect_insert(db_or_dialect: Database | str) -> Any:
    """The INSERT construct with ON CONFLICT of the database's dialect (PostgreSQL or SQLite)."""
    name = db_or_dialect if isinstance(db_or_dialect, str) else db_or_dialect.dialect
    return pg_insert if name == "postgresql" else sqlite_insert
