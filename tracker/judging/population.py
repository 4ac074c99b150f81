"""Whom a report counts: the accounts running at T (region helpers live in tracker.domain.regions)."""

from __future__ import annotations

from datetime import datetime

from tracker.domain.models import AccountRecord, AccountStatus
from tracker.domain.regions import in_region, row_region
from tracker.domain.times import local_date
from tracker.registry.service import registry_as_of
from tracker.storage.db import Database


def stratum_of(record: AccountRecord) -> str:
    """Sampling stratum: second-level region and platform."""
    return f"{row_region(record.region)}|{record.platform}"


def running_accounts(db: Database, at: datetime, region: str | None = None) -> list[AccountRecord]:
    """Accounts not deregistered and opened by T (运行总数), sorted by account key."""
    day = local_date(at)
    with db.session() as session:
        records = registry_as_of(session, at)
    running = [
        record for record in records
        if record.status != AccountStatus.DEREGISTERED and record.opened_on <= day
        and in_region(record.region, region)
    ]
    return sorted(running, key=lambda record: record.key)
