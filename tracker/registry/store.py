"""Reading and writing the registry's rows: filing events, the cached account state, regions
and organisations. Set-based: one statement for many rows."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, Row, select, text, update
from sqlmodel import Session, SQLModel, col

from tracker.domain.divisions import RegionOrder
from tracker.domain.models import AccountRecord, FilingEvent
from tracker.domain.regions import ancestors
from tracker.registry.state import AccountState
from tracker.storage.tables import Account, FilingEventRow, Organisation, Region, table_of

_CHUNK = 500


def _driver_level(session: Session) -> bool:
    """True on SQLite: bulk writes go to the driver's executemany as plain SQL. (The tests turn
    it off to check these store exactly what SQLAlchemy's own statements store.)"""
    return session.connection().dialect.name == "sqlite"


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
    columns = {name: _attribute(name, events) for name in ("account", "effective_on", "recorded_at", "by", "approver", "doc_no", "payload")}
    columns["kind"] = [str(event.kind) for event in events]
    _bulk_insert_columns(session, FilingEventRow, columns)
    return events


def _attribute(name: str, objects: list[Any]) -> list[Any]:
    return list(map(operator.attrgetter(name), objects))


def _bulk_insert_columns(session: Session, model: type[SQLModel], columns: dict[str, list[Any]]) -> None:
    """Many rows at once, given column by column. On SQLite the column types' own bind processors
    feed the driver's executemany directly: SQLAlchemy's per-row parameter machinery costs more
    than SQLite (and no dict a row is made)."""
    if not columns or not next(iter(columns.values())):
        return
    if not _driver_level(session):
        names = list(columns)
        _core_insert(session, model, [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)])
        return
    table = table_of(model)
    dialect = session.connection().dialect
    cells = []
    for name, values in columns.items():
        process = table.c[name].type._cached_bind_processor(dialect)
        cells.append(values if process is None else _processed(process, values))
    _sqlite_executemany(session, f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                        list(zip(*cells, strict=True)))


def _bulk_insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """`_bulk_insert_columns` of rows given as dicts with the same keys."""
    if not rows:
        return
    if not _driver_level(session):
        _core_insert(session, model, rows)
        return
    _bulk_insert_columns(session, model, {name: list(map(operator.itemgetter(name), rows)) for name in rows[0]})


def _core_insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    connection = session.connection()
    table = table_of(model)
    for start in range(0, len(rows), 20_000):
        connection.execute(table.insert(), rows[start:start + 20_000])


def _processed(process: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """`process` of every value but None; once per distinct value where the values are hashable
    (a column of dates or one time), as the bind processors are pure functions."""
    try:
        distinct = set(values)
    except TypeError:  # JSON payloads
        return [None if value is None else process(value) for value in values]
    if len(distinct) > len(values) // 2:
        return [None if value is None else process(value) for value in values]
    memo = {value: None if value is None else process(value) for value in distinct}
    return list(map(memo.__getitem__, values))


def _sqlite_executemany(session: Session, sql: str, values: list[tuple[Any, ...]]) -> None:
    driver = session.connection().connection.driver_connection
    if driver is None:
        raise RuntimeError("the SQLite connection is closed")
    driver.executemany(sql, values)


def _state(row: Row[Any]) -> AccountState:
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


def registry_is_empty(session: Session) -> bool:
    """No row in table `account`."""
    return session.execute(select(col(Account.id)).limit(1)).first() is None


_RECORD_COLUMNS = ("platform", "account_id", "account_name", "org_code", "org_name", "region", "opened_on", "feed_url", "profile_url", "filing_no")


def _row_values(state: AccountState) -> dict[str, Any]:
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
    new = [state for key, state in states.items() if key not in existing]
    records = [state.record for state in new]
    columns = {name: _attribute(name, records) for name in _RECORD_COLUMNS}
    columns["account"] = [record.key for record in records]
    columns["status"] = [str(record.status) for record in records]
    columns.update({name: _attribute(name, new) for name in ("suspended_on", "closed_on", "notice_from", "last_event_id")})
    columns["version"] = [1] * len(new)
    _bulk_insert_columns(session, Account, columns)  # the rows of _row_values, version 1
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


@dataclass
class Written:
    """The regions one import wrote so far (SQLite, where it holds the write lock: nobody else
    changes them meanwhile), so that later batches skip them. (Organisations are upserted
    again: there may be as many as rows, and the memory would grow with the file.)"""

    regions: set[str] = field(default_factory=set)


def upsert_regions_and_orgs(session: Session, records: list[AccountRecord], written: Written | None = None) -> None:
    """The regions (with their ancestors) and organisations `records` name: new ones inserted in
    order (regions by path, organisations as first named), an organisation's changed name updated."""
    regions = {record.region for record in records}
    paths = sorted({prefix for region in regions for prefix in ancestors(region)})
    names = {record.org_code: record.org_name for record in records}
    if _driver_level(session):
        if written is not None:
            paths = [path for path in paths if path not in written.regions]
            written.regions.update(paths)
        _sqlite_upsert_regions_and_orgs(session, paths, names)
        return
    known = _existing(session, col(Region.path), paths)
    missing = [_region_row(path) for path in paths if path not in known]
    if missing:
        _bulk_insert(session, Region, missing)
    found = _existing_orgs(session, list(names))
    new_orgs = [{"org_code": code, "org_name": name} for code, name in names.items() if code not in found]
    if new_orgs:
        _bulk_insert(session, Organisation, new_orgs)
    for code, name in names.items():
        if code in found and found[code] != name:
            session.execute(update(Organisation).where(col(Organisation.org_code) == code).values(org_name=name))


def _region_row(path: str) -> dict[str, Any]:
    return {"path": path, "name": path.rsplit("/", 1)[-1], "parent_path": path.rsplit("/", 1)[0] if "/" in path else None,
            "level": path.count("/") + 1}


def _sqlite_upsert_regions_and_orgs(session: Session, paths: list[str], names: dict[str, str]) -> None:
    """The same in two statements: a row already there is left alone (a region) or gets the new
    name (an organisation). SQLite gives an inserted row max(id) + 1 and a skipped one no id,
    so the ids are those of the select-then-insert above."""
    regions = [_region_row(path) for path in paths]
    _sqlite_executemany(session, "INSERT INTO region (path, name, parent_path, level) VALUES (?, ?, ?, ?) ON CONFLICT (path) DO NOTHING",
                        [(row["path"], row["name"], row["parent_path"], row["level"]) for row in regions])
    _sqlite_executemany(session, "INSERT INTO organisation (org_code, org_name) VALUES (?, ?) "
                                 "ON CONFLICT (org_code) DO UPDATE SET org_name = excluded.org_name WHERE org_name != excluded.org_name",
                        list(names.items()))


def _existing(session: Session, column: Any, values: list[str]) -> set[str]:
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


def defer_indexes(session: Session, tables: Iterable[type[SQLModel]], *, below: int) -> Callable[[], None]:
    """On SQLite, before a bulk load into nearly empty tables: their secondary indexes are dropped
    now and built again, from the same `CREATE INDEX` statements, by the function returned (call
    it before commit; a rollback brings them back by itself). Building an index once from the
    loaded rows costs a fraction of keeping it up to date row by row. Tables with `below` rows or
    more, and other databases, are left alone; unique constraints stay, so every write is checked
    as before."""
    statements: list[tuple[str, str]] = []
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        for model in tables:
            name = table_of(model).name
            count = connection.execute(text(f"SELECT count(*) FROM (SELECT 1 FROM {name} LIMIT :below)"), {"below": below}).scalar_one()
            if count < below:
                statements += connection.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :table AND sql IS NOT NULL ORDER BY rowid"),
                    {"table": name}).tuples().all()
    for index, _ in statements:
        connection.exec_driver_sql(f'DROP INDEX "{index}"')

    def restore() -> None:
        while statements:
            connection.exec_driver_sql(statements.pop(0)[1])

    return restore


def region_order(session: Session) -> RegionOrder:
    """The official order of regions, the registry's unknown names in their first appearance
    (the `region` table grows as filings name new regions)."""
    return RegionOrder(session.execute(select(col(Region.path)).order_by(col(Region.id))).scalars())
