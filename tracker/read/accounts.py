"""Read-side views of the accounts for the terminal UI: filtered pages, one account's detail,
the inspections. Everything one screen shows comes from one function call, so the UI runs it in
a worker and never holds a session itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select
from sqlmodel import col

from tracker.domain.times import as_utc, now_utc
from tracker.read.dashboard import report_region
from tracker.registry.store import region_order
from tracker.storage.db import Database
from tracker.storage.tables import (
    Account,
    FeedState,
    FilingEventRow,
    FindingRow,
    Inspection,
    ObservationRow,
    PollOutcome,
    PostRow,
    ProfileSnapshot,
    WebsitePoll,
    WebsiteProbe,
)

TIMELINE_WEEKS = 26
UNVERIFIED = "unverified"  # 待核实: always offered as a rule filter (docs/contract.md §6.4)
RECENT_POSTS = 30


@dataclass(frozen=True)
class AccountFilter:
    region: str | None = None           # a report row: one segment = 本级 units only, else a subtree
    platform: str | None = None
    status: str | None = None
    rule: str | None = None             # accounts with an active finding of this rule
    search: str | None = None           # part of the account name or of platform:account_id


@dataclass(frozen=True)
class AccountLine:
    account: str
    platform: str
    account_name: str
    org_name: str
    region: str
    status: str
    rules: tuple[str, ...] = ()


def _filtered(stmt, flt: AccountFilter):
    if flt.region and "/" not in flt.region:
        stmt = stmt.where(col(Account.region) == flt.region)
    elif flt.region:
        stmt = stmt.where(or_(col(Account.region) == flt.region, col(Account.region).startswith(flt.region + "/")))
    if flt.platform:
        stmt = stmt.where(col(Account.platform) == flt.platform)
    if flt.status:
        stmt = stmt.where(col(Account.status) == flt.status)
    if flt.rule:
        stmt = stmt.where(
            col(Account.account).in_(select(col(FindingRow.account)).where(col(FindingRow.rule) == flt.rule, col(FindingRow.active).is_(True)))
        )
    if flt.search and flt.search.strip():
        needle = flt.search.strip()  # literal: `_` and `%` typed are characters, not LIKE wildcards
        stmt = stmt.where(or_(col(Account.account_name).contains(needle, autoescape=True),
                              col(Account.account).contains(needle, autoescape=True)))
    return stmt


def account_page(
    db: Database, flt: AccountFilter = AccountFilter(), *, offset: int = 0, limit: int = 100
) -> tuple[list[AccountLine], int]:
    """One page of accounts ordered by region then account, and how many match in all."""
    with db.session() as session:
        total = session.execute(_filtered(select(func.count()).select_from(Account), flt)).scalar_one()
        # Unfiltered pages walk the (region, account) index; a search matches few rows, which are
        # cheaper to sort than to find by walking that index (an expression keeps SQLite off it).
        order = [col(Account.region) + "" if flt.search else col(Account.region), col(Account.account)]
        if flt.search and flt.search.strip():
            needle = flt.search.strip()  # an exact id or name first: "1000010" is also part of "10000101"
            order.insert(0, case((or_(col(Account.account) == needle, col(Account.account_id) == needle,
                                      col(Account.account_name) == needle), 0), else_=1))
        stmt = _filtered(select(Account), flt).order_by(*order).offset(offset).limit(limit)
        accounts = session.execute(stmt).scalars().all()
        keys = [a.account for a in accounts]
        rules: dict[str, list[str]] = {}
        if keys:
            found = select(col(FindingRow.account), col(FindingRow.rule)).where(
                col(FindingRow.account).in_(keys), col(FindingRow.active).is_(True)
            ).order_by(col(FindingRow.rule))
            for account, rule in session.execute(found):
                rules.setdefault(account, []).append(rule)
    lines = [
        AccountLine(a.account, a.platform, a.account_name, a.org_name, a.region, a.status, tuple(rules.get(a.account, ())))
        for a in accounts
    ]
    return lines, total


@dataclass(frozen=True)
class FilterChoices:
    regions: list[str]
    platforms: list[str]
    statuses: list[str]
    rules: list[str]


def filter_choices(db: Database) -> FilterChoices:
    """The values present in the data, for the filter drop-downs."""
    with db.session() as session:
        regions = region_order(session).sorted(
            {report_region(r) for r in session.execute(select(col(Account.region)).distinct()).scalars()})
        platforms = sorted(session.execute(select(col(Account.platform)).distinct()).scalars())
        statuses = sorted(session.execute(select(col(Account.status)).distinct()).scalars())
        rules = sorted(session.execute(select(col(FindingRow.rule)).where(col(FindingRow.active).is_(True)).distinct()).scalars())
    return FilterChoices(regions, platforms, statuses, [UNVERIFIED, *(r for r in rules if r != UNVERIFIED)])


@dataclass
class AccountDetail:
    account: Account
    filings: list[FilingEventRow]
    posts: list[PostRow]                # newest first, at most RECENT_POSTS
    weekly_posts: list[int]             # posts per week, oldest week first, the last ends at `at`
    findings: list[FindingRow]
    observations: list[ObservationRow]  # newest first
    profile: ProfileSnapshot | None
    last_poll: PollOutcome | None
    feed_state: FeedState | None
    website: WebsiteView | None = None  # a 政府网站's probes and newest poll


@dataclass
class WebsiteView:
    """A 政府网站 on its detail screen: availability of the last days and its newest poll."""

    failures_per_day: list[int]   # oldest day first, the last ends at `at`
    probes_per_day: list[int]
    last_poll: WebsitePoll | None  # the newest poll (ok or not)


AVAILABILITY_DAYS = 7


def website_view(session, account: str, at: datetime, days: int = AVAILABILITY_DAYS) -> WebsiteView:
    end = as_utc(at)
    since = end - timedelta(days=days)
    failures, probes = [0] * days, [0] * days
    query = select(col(WebsiteProbe.probed_at), col(WebsiteProbe.outcome)).where(
        col(WebsiteProbe.account) == account, col(WebsiteProbe.probed_at) > since, col(WebsiteProbe.probed_at) <= end)
    for moment, outcome in session.execute(query):
        index = days - 1 - int((end - as_utc(moment)).total_seconds() // 86400)
        if 0 <= index < days:
            probes[index] += 1
            failures[index] += outcome != "ok"
    poll = session.execute(select(WebsitePoll).where(col(WebsitePoll.account) == account, col(WebsitePoll.polled_at) <= end)
                           .order_by(col(WebsitePoll.polled_at).desc()).limit(1)).scalars().first()
    return WebsiteView(failures, probes, poll)


def weekly_counts(published: list[datetime], at: datetime, weeks: int = TIMELINE_WEEKS) -> list[int]:
    """Posts per 7-day bucket ending at `at`; bucket 0 is the oldest."""
    counts = [0] * weeks
    end = as_utc(at)
    for moment in published:
        age_days = (end - as_utc(moment)).total_seconds() / 86400
        if 0 <= age_days < 7 * weeks:
            counts[weeks - 1 - int(age_days // 7)] += 1
    return counts


def account_detail(db: Database, account: str, at: datetime | None = None) -> AccountDetail | None:
    """Everything the detail screen shows about `account`, or None if it is not in the registry."""
    at = at or now_utc()
    with db.session() as session:
        row = session.execute(select(Account).where(col(Account.account) == account)).scalars().first()
        if row is None:
            return None
        filings = session.execute(
            select(FilingEventRow).where(col(FilingEventRow.account) == account).order_by(col(FilingEventRow.id))
        ).scalars().all()
        posts = session.execute(
            select(PostRow).where(col(PostRow.account) == account)
            .order_by(col(PostRow.published_at).desc().nulls_last(), col(PostRow.id).desc()).limit(RECENT_POSTS)
        ).scalars().all()
        since = as_utc(at) - timedelta(weeks=TIMELINE_WEEKS)
        published = session.execute(
            select(col(PostRow.published_at)).where(
                col(PostRow.account) == account, col(PostRow.published_at) > since, col(PostRow.published_at) <= as_utc(at)
            )
        ).scalars().all()
        found = session.execute(
            select(FindingRow).where(col(FindingRow.account) == account).order_by(col(FindingRow.active).desc(), col(FindingRow.rule))
        ).scalars().all()
        observations = session.execute(
            select(ObservationRow).where(col(ObservationRow.account) == account).order_by(col(ObservationRow.observed_at).desc())
        ).scalars().all()
        profile = session.execute(
            select(ProfileSnapshot).where(col(ProfileSnapshot.account) == account).order_by(col(ProfileSnapshot.taken_at).desc()).limit(1)
        ).scalars().first()
        last_poll = session.execute(
            select(PollOutcome).where(col(PollOutcome.account) == account).order_by(col(PollOutcome.started_at).desc()).limit(1)
        ).scalars().first()
        state = session.get(FeedState, account)
        website = website_view(session, account, at) if row.platform == "website" else None
    return AccountDetail(
        account=row,
        filings=list(filings),
        posts=list(posts),
        weekly_posts=weekly_counts([p for p in published if p is not None], at),
        findings=list(found),
        observations=list(observations),
        profile=profile,
        last_poll=last_poll,
        feed_state=state,
        website=website,
    )


def inspections(db: Database) -> list[Inspection]:
    """Every inspection plan, newest first (the reports screen lists them)."""
    with db.session() as session:
        return list(session.execute(select(Inspection).order_by(col(Inspection.id).desc())).scalars().all())
