"""Read-side queries for the dashboard and the account lists of the terminal UI.

Set-based: a handful of GROUP BY queries whatever the number of accounts, so the UI stays quick
with 100,000 of them. The counts follow the report's definitions (docs/contract.md §7) on the current
derived state: running = not deregistered and opened by T; checked = the quarter's inspection
sample, or every running account; failed = checked accounts with an active veto finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlmodel import col

from tracker.domain.divisions import RegionOrder
from tracker.domain.regions import row_region
from tracker.domain.times import local_date, now_utc, quarter_of
from tracker.registry.store import region_order
from tracker.storage.db import Database
from tracker.storage.tables import (
    Account,
    FeedState,
    FindingRow,
    Inspection,
    InspectionFinding,
    InspectionSample,
)

report_region = row_region  # the report row of a region path: its first two segments (docs/contract.md §7)


@dataclass
class RegionCounts:
    region: str
    running: int = 0
    checked: int = 0
    failed: int = 0
    unverified: int = 0  # checked accounts whose update family could not be judged (待核实)

    @property
    def fail_rate(self) -> float:
        return round(100.0 * self.failed / self.checked, 2) if self.checked else 0.0


@dataclass
class Dashboard:
    at: datetime
    quarter: str
    sampled: bool                       # True when the quarter has an inspection sample
    total: RegionCounts
    rows: list[RegionCounts] = field(default_factory=list)
    platforms: list[RegionCounts] = field(default_factory=list)  # the same counts by platform (in `region`)
    # 政府网站 are counted apart, like the two tables of a 通报: `total` and `rows` are accounts
    websites: RegionCounts = field(default_factory=lambda: RegionCounts("website"))


def _running_filter(at: datetime):
    return and_(col(Account.status) != "deregistered", col(Account.opened_on) <= local_date(at))


def _current_inspection(session, quarter: str) -> Inspection | None:
    stmt = (
        select(Inspection)
        .where(col(Inspection.quarter) == quarter, col(Inspection.current).is_(True))
        .order_by(col(Inspection.id).desc())
        .limit(1)
    )
    return session.execute(stmt).scalars().first()


def _unverified(inspection: Inspection | None, sample, at: datetime):
    """Checked accounts per region with a 待核实 finding (the inspection's, or the active ones)."""
    if inspection is not None and inspection.run_at is not None:
        held = select(col(InspectionFinding.account)).where(col(InspectionFinding.inspection_id) == inspection.id,
                                                            col(InspectionFinding.rule) == "unverified")
    else:
        held = select(col(FindingRow.account)).where(col(FindingRow.active).is_(True), col(FindingRow.rule) == "unverified")
    accounts = held.distinct().subquery()
    query = (select(col(Account.region), func.count()).join(accounts, accounts.c.account == col(Account.account))
             .where(_running_filter(at), col(Account.platform) != "website"))
    if sample is not None:
        query = query.where(col(Account.account).in_(sample))
    return query.group_by(col(Account.region))


def dashboard(db: Database, at: datetime | None = None) -> Dashboard:
    """Running / checked / failed per report region as of `at` (default: now)."""
    at = at or now_utc()
    quarter = quarter_of(at)
    rows: dict[str, RegionCounts] = {}
    platforms: dict[str, RegionCounts] = {}

    sites = RegionCounts("website")

    def add(region: str, platform: str, name: str, count: int) -> None:
        """Count into the region's report row and into the platform's row at once (a website
        into the websites' counts instead of the region's row)."""
        key = report_region(region)
        first = sites if platform == "website" else rows.setdefault(key, RegionCounts(key))
        for counts in (first, platforms.setdefault(platform, RegionCounts(platform))):
            setattr(counts, name, getattr(counts, name) + count)

    with db.session() as session:
        by = (col(Account.region), col(Account.platform))
        running = select(*by, func.count()).where(_running_filter(at)).group_by(*by)
        for region, platform, count in session.execute(running):
            add(region, platform, "running", count)
        inspection = _current_inspection(session, quarter)
        sample = None
        if inspection is not None:
            sample = select(col(InspectionSample.account)).where(col(InspectionSample.inspection_id) == inspection.id)
            checked = (
                select(*by, func.count())
                .where(_running_filter(at), col(Account.account).in_(sample))
                .group_by(*by)
            )
            for region, platform, count in session.execute(checked):
                add(region, platform, "checked", count)
        else:
            for counts in (*rows.values(), *platforms.values(), sites):
                counts.checked = counts.running
        if inspection is not None and inspection.run_at is not None:
            vetoed = select(col(InspectionFinding.account)).where(
                col(InspectionFinding.inspection_id) == inspection.id, col(InspectionFinding.severity) == "veto"
            )
        else:
            vetoed = select(col(FindingRow.account)).where(col(FindingRow.active).is_(True), col(FindingRow.severity) == "veto")
        # Join from the (few) vetoed accounts to the account table, not the other way round.
        vetoed_accounts = vetoed.distinct().subquery()
        failed = (
            select(*by, func.count())
            .join(vetoed_accounts, vetoed_accounts.c.account == col(Account.account))
            .where(_running_filter(at))
        )
        if sample is not None:
            failed = failed.where(col(Account.account).in_(sample))
        failed = failed.group_by(*by)
        for region, platform, count in session.execute(failed):
            add(region, platform, "failed", count)
        for region, count in session.execute(_unverified(inspection, sample, at)):
            rows.setdefault(report_region(region), RegionCounts(report_region(region))).unverified += count
        order = region_order(session)
    ordered = sorted(rows.values(), key=lambda counts: order.key(counts.region))
    total = RegionCounts(
        "",
        running=sum(r.running for r in ordered),
        checked=sum(r.checked for r in ordered),
        failed=sum(r.failed for r in ordered),
        unverified=sum(r.unverified for r in ordered),
    )
    return Dashboard(at=at, quarter=quarter, sampled=inspection is not None, total=total, rows=ordered,
                     platforms=sorted(platforms.values(), key=lambda counts: (-counts.checked, counts.region)),
                     websites=sites)


@dataclass(frozen=True)
class FindingLine:
    account: str
    account_name: str
    region: str
    rule: str
    severity: str
    evidence: dict
    last_seen_at: datetime
    first_seen_at: datetime


def findings(db: Database, *, limit: int | None = None, rule: str | None = None) -> list[FindingLine]:
    """Active findings, newest first (by when they were first seen), with the account's name."""
    columns = (col(FindingRow.account), col(FindingRow.rule), col(FindingRow.severity), col(FindingRow.evidence),
               col(FindingRow.last_seen_at), col(FindingRow.first_seen_at))
    stmt = (
        select(*columns, col(Account.account_name), col(Account.region))
        .join(Account, col(Account.account) == col(FindingRow.account), isouter=True)
        .where(col(FindingRow.active).is_(True))
        .order_by(col(FindingRow.first_seen_at).desc(), case((col(FindingRow.severity) == "veto", 0), else_=1), col(FindingRow.account), col(FindingRow.rule))
    )
    if rule:
        stmt = stmt.where(col(FindingRow.rule) == rule)
    if limit:
        stmt = stmt.limit(limit)
    with db.session() as session:
        return [
            FindingLine(account, name or "", region or "", rule, severity, evidence or {}, last_seen, first_seen)
            for account, rule, severity, evidence, last_seen, first_seen, name, region in session.execute(stmt)
        ]


@dataclass(frozen=True)
class PollHealth:
    outcomes: dict[str, int]            # last outcome → number of accounts
    never_polled: int                   # accounts in service without any poll yet
    failing: int                        # accounts whose last polls failed
    last_polled_at: datetime | None


def poll_health(db: Database) -> PollHealth:
    with db.session() as session:
        outcomes = {
            outcome: count
            for outcome, count in session.execute(
                select(col(FeedState.last_outcome), func.count())
                .where(col(FeedState.last_outcome).is_not(None))
                .group_by(col(FeedState.last_outcome))
            ).tuples()
            if outcome is not None  # the WHERE excludes it; this tells the type checker
        }
        never = session.execute(
            select(func.count()).select_from(Account)
            .outerjoin(FeedState, col(FeedState.account) == col(Account.account))
            .where(col(Account.status) != "deregistered", col(FeedState.last_polled_at).is_(None))
        ).scalar_one()
        failing = session.execute(
            select(func.count()).select_from(FeedState).where(col(FeedState.consecutive_failures) > 0)
        ).scalar_one()
        last = session.execute(select(func.max(col(FeedState.last_polled_at)))).scalar_one()
    return PollHealth(outcomes=outcomes, never_polled=never, failing=failing, last_polled_at=last)


def regions_in_order(db: Database) -> RegionOrder:
    """The official order of regions (GB/T 2260 codes, then first appearance) for the screens."""
    with db.session() as session:
        return region_order(session)
