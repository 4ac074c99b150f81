"""Reading and writing the registry's rows: filing events, the cached account state, regions
and organisations. Set-based: one statement for many rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlmodel import Session, col

from tracker.domain.divisions import RegionOrder
from tracker.domain.models import AccountRecord, FilingEvent
from tracker.domain.regions import ancestors
from tracker.registry.state import AccountState
from tracker.storage.tables import Account, FilingEventRow, Organisation, Region, table_of

_CHUNK = 500


def _event(row: FilingEventRow) -> FilingEvent:
    return FilingEvent(
        account=row.account, kind=row.kind, effective_on=row.effective_on, recorded_at=row.recorded_at,
        by=row.by, approver=row.approver, doc_no=row.doc_no, payload=dict(row.payload or {}), id=row.id,
    )


def events_for(session: Session, account: str) -> list[FilingEvent]:
    rows = session.execute(
        select(FilingEventRow).where(col(FilingEventRow.account) == account).order_by(col(FilingEventRow.effective_on), col(FilingEventRow.id))
    ).scalars()
    return [_event(row) for row in rows]


def load_events(session: Session, until: date | None = None) -> list[FilingEvent]:
    query = select(FilingEventRow)
    if until is not None:
        query = query.where(col(FilingEventRow.effective_on) <= until)
    return [_event(row) for row in session.execute(query.order_by(col(FilingEventRow.effective_on), col(FilingEventRow.id))).scalars()]


def insert_events(session: Session, events: list[FilingEvent]) -> list[FilingEvent]:
    """Insert filing events; a single one comes back with its id."""
    if len(events) == 1:
        event = events[0]
        row = FilingEventRow(account=event.account, kind=event.kind, effective_on=event.effective_on,
                             recorded_at=event.recorded_at, by=event.by, approver=event.approver,
                             doc_no=event.doc_no, payload=event.payload)
        session.add(row)
        session.flush()
        if session.connection().dialect.name == "postgresql":
            session.refresh(row)  # the database sets recorded_at and by for most roles (0010_roles)
        return [_event(row)]
    values = [
        {"account": e.account, "kind": str(e.kind), "effective_on": e.effective_on, "recorded_at": e.recorded_at,
         "by": e.by, "approver": e.approver, "doc_no": e.doc_no, "payload": e.payload}
        for e in events
    ]
    _bulk_insert(session, FilingEventRow, values)
    return events


def _bulk_insert(session: Session, model, rows: list[dict]) -> None:
    """Many rows at once. On SQLite the column types' own bind processors feed the driver's
    executemany directly: SQLAlchemy's per-row parameter machinery costs more than SQLite."""
    if not rows:
        return
    connection = session.connection()
    table = table_of(model)
    if connection.dialect.name != "sqlite":
        for start in range(0, len(rows), 20_000):
            connection.execute(table.insert(), rows[start:start + 20_000])
        return
    columns = list(rows[0])
    processors = [(name, table.c[name].type._cached_bind_processor(connection.dialect)) for name in columns]
    plain = [name for name, process in processors if process is None]
    if len(plain) == len(columns):
        values = [tuple(row[name] for name in columns) for row in rows]
    else:
        def convert(row: dict) -> tuple:
            return tuple(row[name] if process is None or row[name] is None else process(row[name])
                         for name, process in processors)
        values = list(map(convert, rows))
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    driver = connection.connection.driver_connection
    assert driver is not None  # the session's connection is checked out
    driver.executemany(sql, values)


def _state(row) -> AccountState:
    record = AccountRecord(
        region=row.region, org_name=row.org_name, org_code=row.org_code, platform=row.platform,
        account_id=row.account_id, account_name=row.account_name, opened_on=row.opened_on,
        status=row.status, feed_url=row.feed_url, profile_url=row.profile_url, filing_no=row.filing_no,
    )
    return AccountState(record=record, suspended_on=row.suspended_on, closed_on=row.closed_on,
                        notice_from=row.notice_from, last_event_id=row.last_event_id, version=row.version)


def load_account_rows(session: Session, keys: Iterable[str]) -> dict[str, AccountState]:
    """Cached states of these accounts (plain rows, not ORM objects: 100,000 of them load fast)."""
    wanted = list(dict.fromkeys(keys))
    table = table_of(Account)
    if len(wanted) > 5 * _CHUNK:
        found = {row.account: _state(row) for row in session.execute(select(table))}
        return {key: found[key] for key in wanted if key in found}
    states: dict[str, AccountState] = {}
    for start in range(0, len(wanted), _CHUNK):
        for row in session.execute(select(table).where(table.c.account.in_(wanted[start:start + _CHUNK]))):
            states[row.account] = _state(row)
    return states


def _row_values(state: AccountState) -> dict:
    record = state.record
    return {
        "account": record.key, "platform": record.platform, "account_id": record.account_id,
        "account_name": record.account_name, "org_code": record.org_code, "org_name": record.org_name,
        "region": record.region, "status": str(record.status), "opened_on": record.opened_on,
        "suspended_on": state.suspended_on, "closed_on": state.closed_on, "notice_from": state.notice_from,
        "feed_url": record.feed_url, "profile_url": record.profile_url, "filing_no": record.filing_no,
        "last_event_id": state.last_event_id,
    }


def write_states(session: Session, states: dict[str, AccountState], existing: dict[str, AccountState]) -> bool:
    """Insert new accounts and update changed ones if nobody else changed them meanwhile.
    False when a concurrent filing got there first (the caller rolls back and retries)."""
    new_rows = [{**_row_values(state), "version": 1} for key, state in states.items() if key not in existing]
    _bulk_insert(session, Account, new_rows)
    for key, state in states.items():
        old = existing.get(key)
        if old is None:
            continue
        # an UPDATE's result is a CursorResult (Session.execute is typed as returning a plain Result)
        result = cast("CursorResult[Any]", session.execute(
            update(Account)
            .where(col(Account.account) == key, col(Account.version) == old.version)
            .values(**_row_values(state), version=old.version + 1)
        ))
        if result.rowcount != 1:
            return False
    return True


def upsert_regions_and_orgs(session: Session, records: list[AccountRecord]) -> None:
    paths = sorted({prefix for record in records for prefix in ancestors(record.region)})
    known = _existing(session, col(Region.path), paths)
    missing = [
        {"path": path, "name": path.rsplit("/", 1)[-1], "parent_path": path.rsplit("/", 1)[0] if "/" in path else None,
         "level": path.count("/") + 1}
        for path in paths if path not in known
    ]
    if missing:
        _bulk_insert(session, Region, missing)
    names = {record.org_code: record.org_name for record in records}
    found = _existing_orgs(session, list(names))
    new_orgs = [{"org_code": code, "org_name": name} for code, name in names.items() if code not in found]
    if new_orgs:
        _bulk_insert(session, Organisation, new_orgs)
    for code, name in names.items():
        if code in found and found[code] != name:
            session.execute(update(Organisation).where(col(Organisation.org_code) == code).values(org_name=name))


def _existing(session: Session, column, values: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(values), _CHUNK):
        found.update(session.execute(select(column).where(column.in_(values[start:start + _CHUNK]))).scalars())
    return found


def _existing_orgs(session: Session, codes: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(codes), _CHUNK):
        rows = session.execute(select(col(Organisation.org_code), col(Organisation.org_name))
                               .where(col(Organisation.org_code).in_(codes[start:start + _CHUNK])))
        found.update({code: name for code, name in rows})
    return found


def region_order(session: Session) -> RegionOrder:
    """The official order of regions, the registry's unknown names in their first appearance
    (the `region` table grows as filings name new regions)."""
    return RegionOrder(session.execute(select(col(Region.path)).order_by(col(Region.id))).scalars())
