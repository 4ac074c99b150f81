from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tracker.storage.db import migrate, open_database
from tracker.storage.tables import FilingEventRow


def _insert_event(db) -> None:
    with db.write() as session:
        session.add(
            FilingEventRow(
                account="weibo:1", kind="open", effective_on=date(2026, 1, 1),
                recorded_at=datetime(2026, 1, 1, tzinfo=UTC), by="tester", payload={"a": 1},
            )
        )


def test_filing_events_reject_update(db) -> None:
    _insert_event(db)
    with pytest.raises(DBAPIError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE filing_event SET kind = 'close'"))
    with db.session() as session:
        assert session.get(FilingEventRow, 1).kind == "open"


def test_filing_events_reject_delete(db) -> None:
    _insert_event(db)
    with pytest.raises(DBAPIError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM filing_event"))
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM filing_event")).scalar() == 1


def test_times_round_trip_as_aware_utc(db) -> None:
    _insert_event(db)
    with db.session() as session:
        row = session.get(FilingEventRow, 1)
    assert row.recorded_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert row.recorded_at.tzinfo is not None


def test_migration_is_idempotent(db_url) -> None:
    first = open_database(db_url)
    migrate(first.engine)  # a second run changes nothing and does not fail
    with first.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert version
    first.dispose()


def test_one_linear_history() -> None:
    """Every revision after the merge point has one parent, and there is one head."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from tracker.storage.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1
    chain = list(script.walk_revisions("0005_one_history", script.get_current_head()))
    assert all(isinstance(rev.down_revision, str) for rev in chain if rev.revision != "0005_one_history")


def test_a_database_left_at_the_three_old_heads_upgrades(tmp_path) -> None:
    """A database migrated before the merge carries three heads; opening it folds them into one."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, inspect

    from tracker.storage.db import _alembic_config

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        config = _alembic_config(connection)
        for head in ("0003_users", "0002_rules", "0004_account_region_index"):
            command.upgrade(config, head)
        assert len(MigrationContext.configure(connection).get_current_heads()) == 3
        newest = ScriptDirectory.from_config(config).get_current_head()
    engine.dispose()
    db = open_database(f"sqlite:///{tmp_path / 'old.db'}")
    with db.engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
        assert heads == (newest,)
        assert "failed" in {column["name"] for column in inspect(connection).get_columns("check_run")}
