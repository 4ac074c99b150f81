"""The registry (备案): importing registry files, filing events, and the registry as of any time.

Every change is an append-only filing event; table `account` caches the state after all events
so that readers need no replay, while `registry_as_of` replays the events to any date.
"""

from __future__ import annotations

import getpass
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from tracker.domain import ids
from tracker.domain.errors import FileProblems, RowProblem, TrackerError
from tracker.domain.models import AccountRecord, AccountStatus, FilingEvent, FilingKind
from tracker.domain.orgcode import org_code_problem
from tracker.domain.regions import in_region
from tracker.domain.times import future_date_problem, local_date, now_utc
from tracker.registry.file import read_table
from tracker.registry.rows import denying, region_problem, url_problem, validate_batches, website_problems
from tracker.registry.state import AccountState, FilingRefused, apply_event, record_payload, replay, sort_key
from tracker.registry.store import (
    events_for,
    insert_events,
    load_account_rows,
    load_events,
    upsert_regions_and_orgs,
    write_states,
)
from tracker.storage.db import Database
from tracker.storage.grants import database_derives_state
from tracker.storage.roles import refusal

__all__ = [
    "FilingRefused",
    "ImportResult",
    "events_as_of",
    "file_event",
    "history",
    "import_registry",
    "list_accounts",
    "parse_account_key",
    "registry_as_of",
]

MAX_RETRIES = 20


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def parse_account_key(text: str) -> tuple[str, str]:
    """`platform:account_id` → (platform, account_id), normalised and checked (tracker.domain.ids)."""
    return ids.parse_account_key(text)


@dataclass
class ImportResult:
    path: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0
    dry_run: bool = False
    changes: list[str] = field(default_factory=list)


_COMPARED = ("account_name", "org_code", "org_name", "region", "feed_url", "profile_url", "filing_no", "opened_on")


def _change_events(key: str, old: AccountRecord, new: AccountRecord, effective_on: date) -> list[tuple[str, dict]]:
    """The filing events that turn `old` into `new` (registry import --update)."""
    events: list[tuple[str, dict]] = []
    if old.status == AccountStatus.DEREGISTERED and new.status != AccountStatus.DEREGISTERED:
        events.append((FilingKind.OPEN, record_payload(new)))
        if new.status == AccountStatus.SUSPENDED:
            events.append((FilingKind.SUSPEND, {}))
        return events
    if new.account_name != old.account_name:
        events.append((FilingKind.RENAME, {"account_name": new.account_name, "previous": old.account_name}))
    if (new.org_code, new.org_name, new.region) != (old.org_code, old.org_name, old.region):
        events.append((FilingKind.TRANSFER, {"org_code": new.org_code, "org_name": new.org_name, "region": new.region,
                                             "previous": {"org_code": old.org_code, "org_name": old.org_name, "region": old.region}}))
    updates = {name: getattr(new, name) for name in ("feed_url", "profile_url", "filing_no", "opened_on") if getattr(new, name) != getattr(old, name)}
    if updates:
        if "opened_on" in updates:
            updates["opened_on"] = updates["opened_on"].isoformat()
        events.append((FilingKind.UPDATE, updates))
    if new.status != old.status:
        if new.status == AccountStatus.SUSPENDED:
            events.append((FilingKind.SUSPEND, {}))
        elif new.status == AccountStatus.DEREGISTERED:
            events.append((FilingKind.CLOSE, {"notice_from": None}))
        else:
            events.append((FilingKind.RESUME, {}))
    return events


def _differences(old: AccountRecord, new: AccountRecord) -> list[str]:
    return [name for name in (*_COMPARED, "status") if getattr(old, name) != getattr(new, name)]


def import_registry(db: Database, path: str | Path, *, dry_run: bool = False, update: bool = False, by: str | None = None,
                    deny_networks: Sequence[str] | None = None) -> ImportResult:
    """Import a registry file, all or nothing. New accounts are filed as opened (with a suspend
    or close filing when the row's status says so, effective on the opening date, as the file
    gives no other date); with `update`, changed rows become filing events effective today.
    URLs into `deny_networks` (`[poll] deny_networks`; the built-in list when None) are refused."""
    result = ImportResult(path=str(path), dry_run=dry_run)
    try:
        with denying(deny_networks):
            table = read_table(path)
            with db.write() as session:
                _import_batches(session, path, table, result, update=update, by=by or current_user())
                if dry_run:
                    session.rollback()
    except DBAPIError as exc:
        _raise_if_refused(exc)
        raise
    return result


def _import_batches(session: Any, path: str | Path, table: Any, result: ImportResult, *, update: bool, by: str) -> None:
    """Validate and write the file batch by batch in the caller's one transaction (all or
    nothing: any problem raises FileProblems after the whole file was judged, and the caller
    rolls back). Problems of values come alone, as before; "already registered" ones after."""
    recorded_at = now_utc()
    today = local_date(recorded_at)
    problems: list[RowProblem] = []
    for records in validate_batches(path, table):
        result.rows += len(records)
        _import_records(session, records, result, problems, update=update, by=by,
                        recorded_at=recorded_at, today=today)
    if problems:
        raise FileProblems(str(path), problems)


def _import_records(session: Any, records: list[tuple[int, AccountRecord]], result: ImportResult,
                    problems: list[RowProblem], *, update: bool, by: str, recorded_at: datetime, today: date) -> None:
    """Plan and write one batch; once any batch had problems nothing more is written (they are
    reported after the last batch, and the transaction rolls back)."""
    existing = load_account_rows(session, [record.key for _, record in records])
    planned: list[FilingEvent] = []
    for row, record in records:
        old = existing.get(record.key)
        if old is None:
            result.created += 1
            base = {"source": "import"}
            planned.append(FilingEvent(record.key, FilingKind.OPEN, record.opened_on, recorded_at, by, payload={**record_payload(record), **base}))
            if record.status == AccountStatus.SUSPENDED:
                planned.append(FilingEvent(record.key, FilingKind.SUSPEND, record.opened_on, recorded_at, by, payload=base))
            elif record.status == AccountStatus.DEREGISTERED:
                planned.append(FilingEvent(record.key, FilingKind.CLOSE, record.opened_on, recorded_at, by, payload={**base, "notice_from": None}))
            continue
        differences = _differences(old.record, record)
        if not differences:
            result.unchanged += 1
            continue
        if not update:
            column = differences[0]
            problems.append(RowProblem(row, column, str(getattr(record, column) or ""),
                                       f"{record.key} is already registered with {column} = {getattr(old.record, column)!r}; use --update to file the change"))
            continue
        result.updated += 1
        result.changes.append(f"{record.key}: {', '.join(differences)}")
        for kind, payload in _change_events(record.key, old.record, record, today):
            planned.append(FilingEvent(record.key, kind, today, recorded_at, by, payload={**payload, "source": "import --update"}))
    if problems:
        return
    states = _states_after(existing, planned, {record.key: record for _, record in records})
    result.events += len(planned)
    insert_events(session, planned)
    if database_derives_state(session.connection()):
        return
    upsert_regions_and_orgs(session, [state.record for state in states.values()])
    write_states(session, states, existing)


def _states_after(existing: dict[str, AccountState], planned: list[FilingEvent],
                  new_records: dict[str, AccountRecord]) -> dict[str, AccountState]:
    states: dict[str, AccountState] = {}
    for event in planned:
        current = states.get(event.account) or existing.get(event.account)
        if current is None and event.kind == FilingKind.OPEN and event.account in new_records:
            record = new_records[event.account]
            if record.status != AccountStatus.ACTIVE:  # its suspend/close event follows
                record = replace(record, status=AccountStatus.ACTIVE.value)
            states[event.account] = AccountState(record=record)
            continue
        try:
            states[event.account] = apply_event(current, event)
        except FilingRefused as exc:  # e.g. --update effective today before a future opening date
            raise TrackerError(str(exc)) from exc
    return states


_FIELDS_BY_KIND: dict[str, set[str]] = {  # FilingKind is a StrEnum: a kind's text finds it
    FilingKind.OPEN: {"region", "org_name", "org_code", "account_name", "opened_on", "feed_url", "profile_url", "filing_no", "status"},
    FilingKind.RENAME: {"account_name"},
    FilingKind.TRANSFER: {"org_code", "org_name", "region"},
    FilingKind.SUSPEND: set(),
    FilingKind.CLOSE: {"notice_from"},
}


def _open_record(platform: str, account_id: str, fields_: dict[str, Any], effective_on: date) -> AccountRecord:
    missing = [name for name in ("region", "org_name", "org_code", "account_name") if not fields_.get(name)]
    if missing:
        raise TrackerError(f"file open needs {', '.join('--' + m.replace('_', '-') for m in missing)}")
    checks = {
        "org_code": org_code_problem(fields_["org_code"]),
        "region": region_problem(fields_["region"]),
        **{name: url_problem(fields_[name]) for name in ("feed_url", "profile_url") if fields_.get(name)},
    }
    for name, reason in checks.items():
        if reason:
            raise TrackerError(f"--{name.replace('_', '-')} {fields_[name]!r}: {reason}")
    for name, reason in website_problems(platform, account_id, fields_.get("feed_url")):
        raise TrackerError(f"{account_id!r}: {reason}" if name == "account_id" else f"--feed-url: {reason}")
    opened_on = fields_.get("opened_on") or effective_on
    reason = future_date_problem(opened_on)
    if reason:
        raise TrackerError(f"--opened-on {opened_on.isoformat()}: {reason}")
    return AccountRecord(
        region=fields_["region"], org_name=fields_["org_name"], org_code=fields_["org_code"],
        platform=platform, account_id=account_id, account_name=fields_["account_name"],
        opened_on=opened_on, feed_url=fields_.get("feed_url"),
        profile_url=fields_.get("profile_url"), filing_no=fields_.get("filing_no"),
    )


def _event_payload(kind: str, platform: str, account_id: str, fields_: dict[str, Any], effective_on: date) -> dict[str, Any]:
    unknown = set(fields_) - _FIELDS_BY_KIND[kind]
    if unknown:
        raise TrackerError(f"file {kind} does not take {', '.join(sorted(unknown))}")
    if kind == FilingKind.OPEN:
        return record_payload(_open_record(platform, account_id, fields_, effective_on))
    if kind == FilingKind.TRANSFER:
        if not fields_.get("org_code") or not fields_.get("org_name"):
            raise TrackerError("file transfer needs --org-code and --org-name")
        checks = {"org_code": org_code_problem(fields_["org_code"]),
                  "region": region_problem(fields_["region"]) if fields_.get("region") else None}
        for name, reason in checks.items():
            if reason:
                raise TrackerError(f"--{name.replace('_', '-')} {fields_[name]!r}: {reason}")
    if kind == FilingKind.CLOSE:
        notice = fields_.get("notice_from")
        if notice is None:
            raise TrackerError("file close needs --notice-from DATE (the date the public closure notice started)")
        if notice > effective_on:
            raise TrackerError(f"--notice-from {notice.isoformat()} is later than --effective {effective_on.isoformat()}: "
                               "the closure notice must start before the closure takes effect")
        return {"notice_from": notice.isoformat()}
    return {k: v for k, v in fields_.items() if v is not None}


def file_event(db: Database, kind: str, account: str, *, effective_on: date | None = None, by: str | None = None,
               approver: str | None = None, doc_no: str | None = None,
               deny_networks: Sequence[str] | None = None, **fields_: Any) -> FilingEvent:
    """File one event after checking it against the account's whole history; concurrent filings
    for the same account are serialized by an optimistic version check and retried."""
    if kind not in _FIELDS_BY_KIND:
        raise TrackerError(f"unknown filing kind {kind!r}; use open rename transfer suspend close")
    platform, account_id = parse_account_key(account)
    account = f"{platform}:{account_id}"  # normalised: `weibo:１２３ ` files as weibo:123
    fields_ = {k: (ids.check_text(k, v) if isinstance(v, str) else v) for k, v in fields_.items() if v not in (None, "")}
    fields_ = {k: v for k, v in fields_.items() if v != ""}
    if isinstance(fields_.get("region"), str):
        fields_["region"] = ids.check_region(fields_["region"])
    by, approver, doc_no = (ids.check_text(name, value) or None for name, value in (("by", by), ("approver", approver), ("doc_no", doc_no)))
    if effective_on is None:
        effective_on = fields_.get("opened_on") if kind == FilingKind.OPEN else None
        effective_on = effective_on or local_date(now_utc())
    with denying(deny_networks):
        payload = _event_payload(kind, platform, account_id, fields_, effective_on)
    last_error: Exception | None = None
    for attempt in range(MAX_RETRIES):
        try:
            return _file_once(db, FilingEvent(account, kind, effective_on, now_utc(), by or current_user(), approver, doc_no, payload))
        except DBAPIError as exc:
            _raise_if_refused(exc)
            if not isinstance(exc, (IntegrityError, OperationalError)):
                raise
            last_error = exc
        except _VersionConflict as exc:
            last_error = exc
            time.sleep(random.uniform(0, 0.01 * 2 ** min(attempt, 6)))
    raise TrackerError(f"could not file {kind} for {account}: the account kept changing under concurrent filings ({last_error})")


class _VersionConflict(Exception):
    pass


def _raise_if_refused(exc: DBAPIError) -> None:
    """A write refused by row-level security (a registrar outside their region) → TrackerError."""

    refused = refusal(exc)
    if refused is not None:
        raise refused from exc


def _file_once(db: Database, event: FilingEvent) -> FilingEvent:
    with db.write() as session:
        # Filings for one account queue behind each other here (PostgreSQL row lock; SQLite
        # writers are serialized already); the version check below stays as the safety net.
        if db.dialect == "postgresql":  # through the database: a registrar may not lock `account` itself
            session.execute(text("SELECT tracker_lock_account(:a)"), {"a": event.account})
        history_events = events_for(session, event.account)
        opened = [e.effective_on for e in history_events if e.kind == FilingKind.OPEN]
        if event.kind != FilingKind.OPEN and opened and event.effective_on < opened[0]:
            raise FilingRefused(f"cannot {event.kind} {event.account}: effective {event.effective_on} is before the account opened on {opened[0]}")
        try:
            states = replay([*history_events, event])
        except FilingRefused as refused:
            later = refused.event
            if later is None or later is event:
                raise
            raise FilingRefused(
                f"cannot {event.kind} {event.account} effective {event.effective_on}: the {later.kind} filing "
                f"#{later.id} effective {later.effective_on} would then no longer make sense ({refused})"
            ) from refused
        stored = insert_events(session, [event])[0]
        if database_derives_state(session.connection()):
            return stored  # the database replayed the filings into `account` (migration 0010_roles)
        state = states[event.account]
        state.last_event_id = stored.id
        existing = load_account_rows(session, [event.account])
        upsert_regions_and_orgs(session, [state.record])
        if not write_states(session, {event.account: state}, existing):
            raise _VersionConflict(event.account)
    return stored


def events_as_of(session, at: datetime | None = None) -> list[FilingEvent]:
    """Every filing event effective on or before the Asia/Shanghai date of `at` (None: all)."""
    events = load_events(session, until=local_date(at) if at is not None else None)
    return sorted(events, key=sort_key)


def states_as_of(session, at: datetime | None = None) -> dict[str, AccountState]:
    return replay(events_as_of(session, at), strict=False)


def registry_as_of(session, at: datetime | None = None) -> list[AccountRecord]:
    """The registry as of `at` (default: now), derived from the filing events, sorted by key."""
    states = states_as_of(session, at if at is not None else now_utc())
    return [states[key].record for key in sorted(states)]


def list_accounts(session, *, at: datetime | None = None, region: str | None = None,
                  platform: str | None = None, status: str | None = None) -> list[AccountRecord]:
    return [
        record for record in registry_as_of(session, at)
        if in_region(record.region, region)
        and (platform is None or record.platform == platform)
        and (status is None or record.status == status)
    ]


def history(session, account: str) -> list[FilingEvent]:
    parse_account_key(account)
    events = events_for(session, account)
    if not events:
        raise TrackerError(f"unknown account {account}: no filing events")
    return events
