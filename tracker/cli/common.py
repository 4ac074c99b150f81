"""What every command shares: the global options, the database, JSON output, error handling."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import typer
from sqlalchemy.exc import DBAPIError

from tracker.domain.errors import TrackerError
from tracker.domain.text_out import json_text, printable
from tracker.settings import Settings, load_settings
from tracker.storage.db import Database, open_database

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CliContext:
    db_url: str | None
    config_file: str | None
    lang: str
    _settings: Settings | None = None
    _db: Database | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_file)
        return self._settings

    def database(self) -> Database:
        """The database, its schema created or migrated on first use."""
        if self._db is None:
            self._db = open_database(self.db_url, lock_timeout=self.settings.lock_timeout, lang=self.lang)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None


def context(ctx: typer.Context) -> CliContext:
    root = ctx.find_root()
    if not isinstance(root.obj, CliContext):
        root.obj = CliContext(
            db_url=os.environ.get("TRACKER_DB"),
            config_file=os.environ.get("TRACKER_CONFIG"),
            lang=os.environ.get("TRACKER_LANG", "zh"),
        )
    return root.obj


def fail(message: str, code: int = 2) -> None:
    typer.echo(printable(message, newlines=True), err=True)  # messages quote the user's values
    raise typer.Exit(code)


def handles_errors(func: F) -> F:
    """Turn the user's errors into a message on stderr and exit 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TrackerError as exc:  # the one root of every error a user can cause
            fail(f"error: {exc}")
        except DBAPIError as exc:
            from tracker.storage.roles import refusal

            refused = refusal(exc)
            if refused is None:
                raise
            fail(f"error: {refused}")
        except KeyboardInterrupt:
            fail("interrupted", 130)

    return wrapper  # type: ignore[return-value]


def print_json(value: Any) -> None:
    sys.stdout.write(json_text(value))
    sys.stdout.write("\n")
