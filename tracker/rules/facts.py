"""Set-based queries behind the rules: each answers for every account at once, as of `at`
(never one query per account). Times are aware UTC; windows are half-open `(lo, at]`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, case, func, or_, select
from sqlalchemy.orm import Session

from tracker.storage.types import UTCDateTime
from tracker.storage.tables import ObservationRow, PollOutcome, PostRow, ProfileSnapshot

_IN_CHUNK = 500


def latest_rows(session: Session, table: Any, time_col: Any, condition: Any, columns: Iterable[Any]) -> dict[str, Any]:
    """The newest row per account among rows meeting `condition` (ties: the highest id)."""
    newest = (select(table.account, func.max(time_col).label("newest"))
              .where(condition).group_by(table.account).subquery())
    query = (select(*columns, table.id)
             .join(newest, and_(table.account == newest.c.account, time_col == newest.c.newest))
             .where(condition))
    best: dict[str, Any] = {}
    for row in session.execute(query):
        if row.account not in best or row.id > best[row.account].id:
            best[row.account] = row
    return best


def _seen_posts(at: datetime) -> Any:
    return and_(PostRow.published_at.is_not(None), PostRow.published_at <= at)


def last_post_at(session: Session, at: datetime) -> dict[str, datetime]:
    query = select(PostRow.account, func.max(PostRow.published_at)).where(_seen_posts(at)).group_by(PostRow.account)
    return {account: newest for account, newest in session.execute(query)}


def window_counts(session: Session, lo: datetime, at: datetime) -> dict[str, tuple[int, int]]:
    """(posts, reposts) per account published in (lo, at]."""
    reposts = func.sum(case((PostRow.is_repost.is_(True), 1), else_=0))
    query = (select(PostRow.account, func.count(), reposts)
             .where(PostRow.published_at > lo, PostRow.published_at <= at).group_by(PostRow.account))
    return {account: (total, int(reposted or 0)) for account, total, reposted in session.execute(query)}


POST_EVIDENCE = (PostRow.account, PostRow.post_id, PostRow.url, PostRow.published_at)


def signal_posts(session: Session, lo: datetime, at: datetime) -> list[Any]:
    """Posts in (lo, at] carrying an ad, privacy or lexicon signal, oldest first."""
    flagged = or_(PostRow.sig_ad_domain.is_not(None), PostRow.is_ad.is_(True),
                  PostRow.sig_privacy.is_not(None), PostRow.sig_lexicon.is_not(None))
    query = (select(*POST_EVIDENCE, PostRow.is_ad, PostRow.sig_ad_domain, PostRow.sig_privacy, PostRow.sig_lexicon)
             .where(PostRow.published_at > lo, PostRow.published_at <= at, flagged)
             .order_by(PostRow.account, PostRow.published_at, PostRow.post_id))
    return list(session.execute(query))


def stop_notices(session: Session, until: datetime) -> dict[str, Any]:
    """Per account, the newest post announcing that it stops, published at or before `until`."""
    condition = and_(PostRow.sig_stop_notice.is_(True), PostRow.published_at <= until)
    return latest_rows(session, PostRow, PostRow.published_at, condition,
                       (*POST_EVIDENCE, PostRow.title, PostRow.text))


def latest_comment_flags(session: Session, at: datetime) -> dict[str, Any]:
    condition = and_(PostRow.comments_enabled.is_not(None), _seen_posts(at))
    return latest_rows(session, PostRow, PostRow.published_at, condition, (*POST_EVIDENCE, PostRow.comments_enabled))


def latest_observations(session: Session, at: datetime, kinds: Iterable[str]) -> dict[str, Any]:
    """Per account, the newest observation among `kinds` made at or before `at`."""
    condition = and_(ObservationRow.kind.in_(list(kinds)), ObservationRow.observed_at <= at)
    columns = (ObservationRow.account, ObservationRow.kind, ObservationRow.observed_at,
               ObservationRow.inspector, ObservationRow.note)
    return latest_rows(session, ObservationRow, ObservationRow.observed_at, condition, columns)


def latest_profiles(session: Session, at: datetime, part: str) -> dict[str, Any]:
    """Per account, the newest profile snapshot at or before `at` that tells `part`: "name"
    (a display name) or "verification" (a verified flag or text)."""
    known = (ProfileSnapshot.display_name.is_not(None) if part == "name"
             else or_(ProfileSnapshot.verified.is_not(None), ProfileSnapshot.verified_reason.is_not(None)))
    condition = and_(known, ProfileSnapshot.taken_at <= at)
    columns = (ProfileSnapshot.account, ProfileSnapshot.taken_at, ProfileSnapshot.display_name,
               ProfileSnapshot.verified, ProfileSnapshot.verified_reason, ProfileSnapshot.followers)
    return latest_rows(session, ProfileSnapshot, ProfileSnapshot.taken_at, condition, columns)


def follower_steps(session: Session, at: datetime) -> list[Any]:
    """Consecutive follower counts per account (previous and current snapshot) up to `at`."""
    window = {"partition_by": ProfileSnapshot.account, "order_by": (ProfileSnapshot.taken_at, ProfileSnapshot.id)}
    steps = (select(ProfileSnapshot.account, ProfileSnapshot.taken_at, ProfileSnapshot.followers,
                    func.lag(ProfileSnapshot.taken_at, type_=UTCDateTime()).over(**window).label("prev_at"),
                    func.lag(ProfileSnapshot.followers, type_=Integer()).over(**window).label("prev_followers"))
             .where(ProfileSnapshot.followers.is_not(None), ProfileSnapshot.taken_at <= at).subquery())
    query = select(steps).where(steps.c.prev_followers > 0, steps.c.followers > steps.c.prev_followers)
    return list(session.execute(query))


def post_times(session: Session, accounts: Iterable[str], lo: datetime, hi: datetime) -> dict[str, list[datetime]]:
    """Publication times in [lo, hi] of the given accounts (a few, chunked into IN lists)."""
    found: dict[str, list[datetime]] = {}
    names = sorted(set(accounts))
    for start in range(0, len(names), _IN_CHUNK):
        query = select(PostRow.account, PostRow.published_at).where(
            PostRow.account.in_(names[start:start + _IN_CHUNK]), PostRow.published_at >= lo, PostRow.published_at <= hi)
        for account, published in session.execute(query):
            found.setdefault(account, []).append(published)
    return found


def recent_polls(session: Session, at: datetime, count: int) -> dict[str, list[Any]]:
    """The newest `count` poll outcomes per account at or before `at`, newest first."""
    rank = func.row_number().over(partition_by=PollOutcome.account,
                                  order_by=(PollOutcome.started_at.desc(), PollOutcome.id.desc())).label("rank")
    ranked = (select(PollOutcome.account, PollOutcome.started_at, PollOutcome.outcome, PollOutcome.http_status,
                     PollOutcome.detail, rank).where(PollOutcome.started_at <= at).subquery())
    query = select(ranked).where(ranked.c.rank <= count).order_by(ranked.c.account, ranked.c.rank)
    polls: dict[str, list[Any]] = {}
    for row in session.execute(query):
        polls.setdefault(row.account, []).append(row)
    return polls


def latest_app_probes(session: Session, at: datetime, outcomes: Iterable[str]) -> dict[str, Any]:
    """Per `app:` account, the newest probe whose outcome is one of `outcomes`."""
    condition = and_(PollOutcome.account.like("app:%"), PollOutcome.outcome.in_(list(outcomes)),
                     PollOutcome.started_at <= at)
    columns = (PollOutcome.account, PollOutcome.started_at, PollOutcome.outcome, PollOutcome.http_status, PollOutcome.detail)
    return latest_rows(session, PollOutcome, PollOutcome.started_at, condition, columns)
