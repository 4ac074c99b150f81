"""Read-side views of one account and of the inspections, for the terminal UI.

Everything one screen shows comes from one function call, so the UI runs it in a worker and
never holds a session itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

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
)
from tracker.timeutil import as_utc, now_utc

TIMELINE_WEEKS = 26
RECENT_POSTS = 30


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
        row = session.execute(select(Account).where(Account.account == account)).scalars().first()
        if row is None:
            return None
        filings = session.execute(
            select(FilingEventRow).where(FilingEventRow.account == account).order_by(FilingEventRow.id)
        ).scalars().all()
        posts = session.execute(
            select(PostRow).where(PostRow.account == account).order_by(PostRow.published_at.desc()).limit(RECENT_POSTS)
        ).scalars().all()
        since = as_utc(at) - timedelta(weeks=TIMELINE_WEEKS)
        published = session.execute(
            select(PostRow.published_at).where(
                PostRow.account == account, PostRow.published_at > since, PostRow.published_at <= as_utc(at)
            )
        ).scalars().all()
        found = session.execute(
            select(FindingRow).where(FindingRow.account == account).order_by(FindingRow.active.desc(), FindingRow.rule)
        ).scalars().all()
        observations = session.execute(
            select(ObservationRow).where(ObservationRow.account == account).order_by(ObservationRow.observed_at.desc())
        ).scalars().all()
        profile = session.execute(
            select(ProfileSnapshot).where(ProfileSnapshot.account == account).order_by(ProfileSnapshot.taken_at.desc()).limit(1)
        ).scalars().first()
        last_poll = session.execute(
            select(PollOutcome).where(PollOutcome.account == account).order_by(PollOutcome.started_at.desc()).limit(1)
        ).scalars().first()
        state = session.get(FeedState, account)
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
    )


def inspections(db: Database) -> list[Inspection]:
    """Every inspection plan, newest first (the reports screen lists them)."""
    with db.session() as session:
        return list(session.execute(select(Inspection).order_by(Inspection.id.desc())).scalars().all())
