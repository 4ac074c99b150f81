"""`tracker poll --worker`: several processes, on several machines, share one poll run.

A run is named by its start, by default the latest `[schedule] poll` occurrence, so workers
started apart agree on it without talking. A worker claims a batch of due accounts
(`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL) and leases them (`lease_owner`,
`lease_until`), renewing the lease while it polls. An account is done for the run once its
`last_polled_at` (written with the poll result, in the same transaction) or `worker_done_at`
(the batch handled) is at or after the run start; so when a worker dies, the accounts it had
already polled stay done and the rest return to the others once its lease expires. On SQLite a
single worker does it all.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, literal_column, or_, select, update

from tracker.domain.cron import cron_trigger, previous_fire_time
from tracker.domain.times import as_utc, local_date, now_utc, start_of_day
from tracker.polling.poller import poll
from tracker.settings import Settings
from tracker.storage.db import Database, dialect_insert
from tracker.storage.tables import Account, FeedState, table_of

PollFunction = Callable[[Database, Settings, list[str]], Any]

FS = table_of(FeedState)
ACCOUNT = table_of(Account)


@dataclass
class WorkerReport:
    owner: str
    run_start: datetime
    batches: int = 0
    accounts: int = 0
    polled: list[str] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)  # from the poller's reports
    new_posts: int = 0

    def as_counts(self) -> dict[str, Any]:
        return {"accounts": self.accounts, "batches": self.batches, "run_start": self.run_start.isoformat(),
                "new_posts": self.new_posts, **dict(sorted(self.outcomes.items()))}

    def add(self, accounts: list[str], poll_report: Any) -> None:
        self.batches += 1
        self.accounts += len(accounts)
        self.polled.extend(accounts)
        if hasattr(poll_report, "counts"):
            self.outcomes.update(poll_report.counts())
            self.new_posts += poll_report.new_posts


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def default_run_start(settings: Settings, now: datetime | None = None) -> datetime:
    """The latest scheduled poll at or before now; midnight (Asia/Shanghai) if none is scheduled."""
    now = now or now_utc()
    section = settings.section("schedule")
    if section["poll"].strip():
        fire = previous_fire_time(cron_trigger(section["poll"], section["timezone"], "poll"), now)
        if fire is not None:
            return as_utc(fire)
    return start_of_day(local_date(now))


def ensure_feed_states(db: Database) -> None:
    """A feed_state row for every pollable account, so there is a row to lock and lease."""
    insert = dialect_insert(db)
    missing = select(ACCOUNT.c.account, literal_column("0")).where(ACCOUNT.c.status != "deregistered")
    statement = insert(FS).from_select(["account", "consecutive_failures"], missing)
    with db.write() as session:
        session.execute(statement.on_conflict_do_nothing(index_elements=["account"]))


def _not_done(run_start: datetime, now: datetime) -> Any:
    return and_(
        ACCOUNT.c.status != "deregistered",
        or_(FS.c.next_poll_at.is_(None), FS.c.next_poll_at <= now),
        or_(FS.c.last_polled_at.is_(None), FS.c.last_polled_at < run_start),
        or_(FS.c.worker_done_at.is_(None), FS.c.worker_done_at < run_start),
    )


def claim_batch(db: Database, owner: str, run_start: datetime, size: int, lease_seconds: float) -> list[str]:
    """Lease up to `size` due accounts nobody holds; an expired lease counts as nobody's."""
    now = now_utc()
    due = (select(FS.c.account).join(ACCOUNT, ACCOUNT.c.account == FS.c.account)
           .where(_not_done(run_start, now), or_(FS.c.lease_until.is_(None), FS.c.lease_until < now))
           .order_by(FS.c.account).limit(size))
    if db.dialect == "postgresql":
        due = due.with_for_update(of=FS, skip_locked=True)
    statement = (update(FS).where(FS.c.account.in_(due.scalar_subquery()))
                 .values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_seconds))
                 .returning(FS.c.account))
    with db.write() as session:
        return sorted(session.execute(statement).scalars())


def leased_by_others(db: Database, owner: str, run_start: datetime) -> datetime | None:
    """When the earliest live lease of another worker on an unfinished account runs out."""
    now = now_utc()
    query = (select(func.min(FS.c.lease_until)).join(ACCOUNT, ACCOUNT.c.account == FS.c.account)
             .where(_not_done(run_start, now), FS.c.lease_until >= now, FS.c.lease_owner != owner))
    with db.session() as session:
        until = session.execute(query).scalar()
    return as_utc(until) if until is not None else None


def renew_leases(db: Database, owner: str, lease_seconds: float) -> None:
    with db.write() as session:
        session.execute(update(FS).where(FS.c.lease_owner == owner, FS.c.lease_until.is_not(None))
                        .values(lease_until=now_utc() + timedelta(seconds=lease_seconds)))


def release(db: Database, owner: str, accounts: list[str], *, done: bool) -> None:
    values: dict[str, Any] = {"lease_owner": None, "lease_until": None}
    if done:
        values["worker_done_at"] = now_utc()
    with db.write() as session:
        session.execute(update(FS).where(FS.c.lease_owner == owner, FS.c.account.in_(accounts)).values(**values))


def clear_expired_leases(db: Database) -> None:
    """Leases left by dead workers on accounts they had finished: nobody needs them."""
    with db.write() as session:
        session.execute(update(FS).where(FS.c.lease_until < now_utc()).values(lease_owner=None, lease_until=None))


def _default_poll(db: Database, settings: Settings, accounts: list[str]) -> Any:
    return poll(db, settings, accounts)


def work(db: Database, settings: Settings, *, run_start: datetime | None = None, owner: str | None = None,
         batch: int | None = None, lease_seconds: float | None = None, poll_fn: PollFunction | None = None,
         wait_step: float = 1.0) -> WorkerReport:
    """Poll due accounts batch by batch until none is left in this run (waiting for leases of
    other workers to end, in case they died)."""
    section = settings.section("schedule")
    batch = batch or section["worker_batch"]
    lease_seconds = lease_seconds or section["lease_seconds"]
    report = WorkerReport(owner=owner or worker_name(), run_start=as_utc(run_start or default_run_start(settings)))
    poll_fn = poll_fn or _default_poll
    ensure_feed_states(db)
    stop_heartbeat = threading.Event()
    heartbeat = threading.Thread(target=_heartbeat, args=(db, report.owner, lease_seconds, stop_heartbeat), daemon=True)
    heartbeat.start()
    try:
        while True:
            accounts = claim_batch(db, report.owner, report.run_start, batch, lease_seconds)
            if not accounts:
                until = leased_by_others(db, report.owner, report.run_start)
                if until is None:
                    clear_expired_leases(db)
                    return report
                time.sleep(min(wait_step, max(0.05, (until - now_utc()).total_seconds())))
                continue
            try:
                polled = poll_fn(db, settings, accounts)
            except BaseException:
                release(db, report.owner, accounts, done=False)
                raise
            release(db, report.owner, accounts, done=True)
            report.add(accounts, polled)
    finally:
        stop_heartbeat.set()


def _heartbeat(db: Database, owner: str, lease_seconds: float, stop: threading.Event) -> None:
    """Keep this worker's leases alive while it polls (a third of the lease each time)."""
    while not stop.wait(lease_seconds / 3):
        try:
            renew_leases(db, owner, lease_seconds)
        except Exception:
            continue
