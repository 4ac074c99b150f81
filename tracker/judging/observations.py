"""Inspectors' observations (CONTRACT §6.3): dated records of what a named person saw by hand —
comments closed or open, the app unusable or usable, bought followers. The rules take the latest
observation per kind made at or before the check time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from tracker.registry.service import current_user, parse_account_key
from tracker.domain.errors import TrackerError
from tracker.domain.models import Observation, ObservationKind
from tracker.storage.db import Database
from tracker.storage.tables import Account, ObservationRow
from tracker.domain.times import as_utc, now_utc

KINDS = tuple(kind.value for kind in ObservationKind)


def record_observation(db: Database, account: str, kind: str, *, at: datetime | None = None,
                       inspector: str | None = None, note: str | None = None) -> Observation:
    """Store one observation; an unknown account or fact is refused (TrackerError)."""
    if kind not in KINDS:
        raise TrackerError(f"unknown observation {kind!r}; use one of {', '.join(KINDS)}")

    parse_account_key(account)
    observed_at = as_utc(at) if at is not None else now_utc()
    inspector = (inspector or "").strip() or current_user()
    note = (note or "").strip() or None
    with db.write() as session:
        if session.execute(select(Account.id).where(Account.account == account)).first() is None:
            raise TrackerError(f"unknown account {account}: it is not in the registry")
        session.add(ObservationRow(account=account, kind=kind, observed_at=observed_at, recorded_at=now_utc(),
                                   inspector=inspector, note=note))
    return Observation(account=account, kind=kind, observed_at=observed_at, inspector=inspector, note=note)


def observations_of(db: Database, account: str) -> list[Observation]:
    """Every observation of one account, oldest first."""
    with db.session() as session:
        rows = session.execute(select(ObservationRow).where(ObservationRow.account == account)
                               .order_by(ObservationRow.observed_at, ObservationRow.id)).scalars()
        return [Observation(r.account, r.kind, r.observed_at, r.inspector, r.note) for r in rows]
