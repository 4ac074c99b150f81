"""Whom a report counts: the accounts running at T, and how regions group into 通报 rows.

A region is a slash path from the top (`福建省/福州市/鼓楼区`). The 通报 tables of the seeds
group by the second level (设区市); units of one segment are province-level (省直/本级) and form
their own row.
"""

from __future__ import annotations

from datetime import datetime

from tracker.models import AccountRecord, AccountStatus
from tracker.registry import registry_as_of
from tracker.storage.db import Database
from tracker.timeutil import local_date

LEVELS = ("省级", "市级", "县级")


def segments(region: str) -> list[str]:
    return [part.strip() for part in region.split("/") if part.strip()]


def row_region(region: str) -> str:
    """The 通报 row of a region: its first two segments (a province-level unit its own one)."""
    return "/".join(segments(region)[:2])


def is_province_level(region: str) -> bool:
    return len(segments(region)) <= 1


def region_level(region: str) -> str:
    """省级 for one segment, 市级 for two, 县级 for three or more (乡镇 count with their county)."""
    depth = len(segments(region))
    return LEVELS[min(max(depth, 1), 3) - 1]


def in_subtree(region: str, root: str | None) -> bool:
    if not root:
        return True
    path, top = segments(region), segments(root)
    return path[: len(top)] == top


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
        and in_subtree(record.region, region)
    ]
    return sorted(running, key=lambda record: record.key)


def row_order(region: str) -> tuple[int, str]:
    """Province-level rows first, then by region name."""
    return (0 if is_province_level(region) else 1, region)
