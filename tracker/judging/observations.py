"""Inspectors' observations (docs/contract.md §6.3): dated records of what a named person saw by hand —
comments closed or open, the app unusable or usable, bought followers, the newest post of an
account (`updates_seen`). The rules take the latest observation per kind made at or before the
check time; `updates_seen` also tells the evidence of absence what the inspector has seen (§6.4)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlmodel import col

from tracker.domain import ids
from tracker.domain.errors import TrackerError
from tracker.domain.models import Observation, ObservationKind
from tracker.domain.times import as_utc, now_utc, to_local_iso
from tracker.registry.service import current_user, parse_account_key
from tracker.storage.db import Database
from tracker.storage.tables import Account, ObservationRow

KINDS = tuple(kind.value for kind in ObservationKind)
NO_POSTS: Final = "none"  # `updates_seen --latest none`: the account shows no post at all


def _latest(kind: str, latest: datetime | str | None, observed_at: datetime) -> datetime | None:
    """The stored `latest_at` of an observation: only `updates_seen` has one, and needs it."""
    if kind != ObservationKind.UPDATES_SEEN:
        if latest is not None:
            raise TrackerError(f"--latest belongs to updates_seen only, not to {kind}")
        return None
    if latest is None:
        raise TrackerError("updates_seen needs --latest TIME (the newest post seen) or --latest none (no post at all)")
    if isinstance(latest, str):
        if latest.strip().lower() != NO_POSTS:
            raise TrackerError(f"--latest must be a time or none, got {latest!r}")
        return None
    moment = as_utc(latest)
    if moment > observed_at:
        raise TrackerError(f"--latest {to_local_iso(moment)} is after the observation itself "
                           f"({to_local_iso(observed_at)}): the newest post seen cannot be later than the look")
    return moment


def record_observation(db: Database, account: str, kind: str, *, at: datetime | None = None,
                       inspector: str | None = None, note: str | None = None,
                       latest: datetime | str | None = None) -> Observation:
    """Store one observation; an unknown account or fact is refused (TrackerError).
    `latest` is for `updates_seen`: the time of the newest post seen, or `NO_POSTS`."""
    if kind not in KINDS:
        raise TrackerError(f"unknown observation {kind!r}; use one of {', '.join(KINDS)}")

    platform, account_id = parse_account_key(account)
    account = f"{platform}:{account_id}"
    inspector, note = ids.check_text("inspector", inspector), ids.check_text("note", note)
    observed_at = as_utc(at) if at is not None else now_utc()
    latest_at = _latest(kind, latest, observed_at)
    inspector = (inspector or "").strip() or current_user()
    note = (note or "").strip() or None
    with db.write() as session:
        if session.execute(select(col(Account.id)).where(col(Account.account) == account)).first() is None:
            raise TrackerError(f"unknown account {account}: it is not in the registry")
        row = ObservationRow(account=account, kind=kind, observed_at=observed_at, recorded_at=now_utc(),
                             inspector=inspector, note=note, latest_at=latest_at)
        session.add(row)
        if db.dialect == "postgresql":  # the database names the inspector for most roles (0010_roles)
            session.flush()
            session.refresh(row)
            inspector = row.inspector
    return Observation(account=account, kind=kind, observed_at=observed_at, inspector=inspector, note=note,
                       latest_at=latest_at)


def observations_of(db: Database, account: str) -> list[Observation]:
    """Every observation of one account, oldest first."""
    with db.session() as session:
        rows = session.execute(select(ObservationRow).where(col(ObservationRow.account) == account)
                               .order_by(col(ObservationRow.observed_at), col(ObservationRow.id))).scalars()
        return [Observation(r.account, r.kind, r.observed_at, r.inspector, r.note, r.latest_at) for r in rows]
