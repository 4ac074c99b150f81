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
