"""The outbox (table `alert_outbox`): each alert is written once per robot, then sent once.

Writing is idempotent: (webhook, key) is unique and an existing row is left as it is, so a
second `alerts send`, a second scheduler or a restarted one adds nothing already there. Sending
takes rows one message at a time with a lease (`lease_owner`, `lease_until`), committed before the
POST: two senders never post the same row, and rows of a sender killed mid-POST become takeable
again when the lease runs out. A message answered as delivered marks its rows sent in the same
step that records the answer; a failure puts them back with the next attempt's time.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlmodel import col

from tracker.alerts.compose import ORDER, Alert, Composed
from tracker.alerts.config import Webhook
from tracker.domain.times import as_utc, now_utc
from tracker.storage.db import Database, dialect_insert
from tracker.storage.tables import AlertOutbox

_CHUNK = 500
OPEN = ("pending", "sending")   # not yet sent, not given up


def _existing(session: Any, webhook: str, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        found.update(session.execute(select(col(AlertOutbox.key)).where(col(AlertOutbox.webhook) == webhook,
                                                                   col(AlertOutbox.key).in_(chunk))).scalars())
    return found


def new_alerts(db: Database, hook: Webhook, alerts: Sequence[Alert]) -> list[Alert]:
    """Those of `alerts` the outbox does not hold for `hook` yet (read only: the preview)."""
    with db.session() as session:
        held = _existing(session, hook.name, [a.key for a in alerts])
    return [a for a in alerts if a.key not in held]


def enqueue(db: Database, hooks: Iterable[Webhook], composed: Composed, *, now: datetime | None = None) -> dict[str, int]:
    """Write each robot's new alerts; returns how many each got."""
    now = now or now_utc()
    added: dict[str, int] = {}
    insert = dialect_insert(db)
    for hook in hooks:
        alerts = composed.for_hook(hook)
        fresh = new_alerts(db, hook, alerts)
        if fresh:
            rows = [{"webhook": hook.name, "key": a.key, "kind": a.kind, "account": a.account, "region": a.region,
                     "body": a.body(), "created_at": now, "state": "pending", "attempts": 0} for a in fresh]
            with db.write() as session:
                for start in range(0, len(rows), _CHUNK):
                    session.execute(insert(AlertOutbox).values(rows[start:start + _CHUNK])
                                    .on_conflict_do_nothing(index_elements=["webhook", "key"]))
        added[hook.name] = len(fresh)
    return added


@dataclass(frozen=True)
class Queued:
    id: int
    key: str
    kind: str
    account: str | None
    region: str
    body: dict[str, Any]
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None

    def as_alert(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "account": self.account, "region": self.region, "body": self.body}


def _takeable(webhook: str, now: datetime) -> Any:
    return and_(col(AlertOutbox.webhook) == webhook, col(AlertOutbox.state).in_(OPEN),
                or_(col(AlertOutbox.next_attempt_at).is_(None), col(AlertOutbox.next_attempt_at) <= now),
                or_(col(AlertOutbox.lease_until).is_(None), col(AlertOutbox.lease_until) < now))


def queued(db: Database, webhook: str, *, now: datetime | None = None, due_only: bool = True,
           states: Sequence[str] = OPEN) -> list[Queued]:
    """The robot's rows still to send (due now: `due_only`), in sending order."""
    now = now or now_utc()
    where = _takeable(webhook, now) if due_only else and_(col(AlertOutbox.webhook) == webhook, col(AlertOutbox.state).in_(states))
    with db.session() as session:
        rows = session.execute(select(AlertOutbox).where(where).order_by(col(AlertOutbox.id))).scalars().all()
    found = [Queued(r.id, r.key, r.kind, r.account, r.region, dict(r.body or {}), r.state, r.attempts,
                    as_utc(r.next_attempt_at) if r.next_attempt_at else None, r.last_error) for r in rows]
    return sorted(found, key=lambda q: (ORDER.index(q.kind) if q.kind in ORDER else len(ORDER), q.id))


def claim(db: Database, webhook: str, ids: Sequence[int], owner: str, lease_seconds: float) -> bool:
    """Lease these rows to `owner` for one POST: all or none (another sender holds some: False)."""
    now = now_utc()
    with db.write() as session:
        # an UPDATE's result is a CursorResult (Session.execute is typed as returning a plain Result)
        taken = cast("CursorResult[Any]", session.execute(
            update(AlertOutbox).where(col(AlertOutbox.id).in_(ids), _takeable(webhook, now))
            .values(state="sending", lease_owner=owner, lease_until=now + timedelta(seconds=lease_seconds)))).rowcount
        if taken != len(ids):
            session.rollback()
            return False
    return True


def _mine(ids: Sequence[int], owner: str) -> Any:
    return and_(col(AlertOutbox.id).in_(ids), col(AlertOutbox.lease_owner) == owner)


def mark_sent(db: Database, ids: Sequence[int], owner: str, message_id: str) -> None:
    with db.write() as session:
        session.execute(update(AlertOutbox).where(_mine(ids, owner))
                        .values(state="sent", sent_at=now_utc(), message_id=message_id, lease_owner=None,
                                lease_until=None, next_attempt_at=None, last_error=None))


def mark_deferred(db: Database, webhook: str, ids: Sequence[int], owner: str, wait_seconds: float, error: str) -> None:
    """Rate limited: the robot takes nothing until its wait is over — this message's rows and every
    other row waiting for it go back in the queue after the wait, no attempt counted."""
    until = now_utc() + timedelta(seconds=wait_seconds)
    with db.write() as session:
        session.execute(update(AlertOutbox).where(_mine(ids, owner))
                        .values(state="pending", lease_owner=None, lease_until=None, last_error=error, next_attempt_at=until))
        session.execute(update(AlertOutbox).where(
            col(AlertOutbox.webhook) == webhook, col(AlertOutbox.state) == "pending", col(AlertOutbox.lease_owner).is_(None),
            or_(col(AlertOutbox.next_attempt_at).is_(None), col(AlertOutbox.next_attempt_at) < until)).values(next_attempt_at=until))


def retry_wait(attempts: int, base: float, cap: float) -> float:
    """Seconds before attempt `attempts` + 1: base × 2^(attempts−1), capped, ±20 % jitter."""
    return min(cap, base * 2 ** max(0, attempts - 1)) * random.uniform(0.8, 1.2)


def mark_failed(db: Database, ids: Sequence[int], owner: str, error: str, *, max_attempts: int,
                base: float, cap: float) -> int:
    """A failed POST: one more attempt counted; given up (dead) after `max_attempts`. Returns
    how many rows were given up."""
    now = now_utc()
    dead = 0
    with db.write() as session:
        rows = session.execute(select(AlertOutbox).where(_mine(ids, owner))).scalars().all()
        for row in rows:
            row.attempts += 1
            row.lease_owner, row.lease_until, row.last_error = None, None, error
            if row.attempts >= max_attempts:
                row.state, row.next_attempt_at = "dead", None
                dead += 1
            else:
                row.state = "pending"
                row.next_attempt_at = now + timedelta(seconds=retry_wait(row.attempts, base, cap))
    return dead


def release(db: Database, ids: Sequence[int], owner: str) -> None:
    """Give back leased rows untouched (the run stopped before posting them)."""
    with db.write() as session:
        session.execute(update(AlertOutbox).where(_mine(ids, owner))
                        .values(state="pending", lease_owner=None, lease_until=None))


def recent_messages(db: Database, webhook: str, seconds: float) -> list[datetime]:
    """When each message of the last `seconds` was sent to this robot, oldest first (its rate limit
    is counted from the database, so that runs and processes share it)."""
    since = now_utc() - timedelta(seconds=seconds)
    with db.session() as session:
        times = session.execute(select(func.max(col(AlertOutbox.sent_at)))
                                .where(col(AlertOutbox.webhook) == webhook, col(AlertOutbox.sent_at) > since)
                                .group_by(col(AlertOutbox.message_id))).scalars().all()
    return sorted(as_utc(t) for t in times)


def new_message_id() -> str:
    return uuid.uuid4().hex
