"""Storing what one poll of one account found, atomically.

Everything about one account's poll — its new posts (deduplicated on (account, post_id)), its
profile snapshot, its `feed_state` (validators for conditional GET, body hashes, back-off) and
its `poll_outcome` row — is written in one transaction, so a poll killed at any moment leaves
either all of it or none of it. Several accounts may share a transaction (group commit under
load); that keeps each one atomic too.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from connectors.base import Outcome, ParsedFeed
from tracker.domain.models import Post
from tracker.domain.times import now_utc
from tracker.rules.signals import post_signals, signal_config
from tracker.settings import Settings, load_settings
from tracker.storage.db import Database, dialect_insert
from tracker.storage.tables import FeedState, PollOutcome, PostRow, ProfileSnapshot, WebsitePoll, table_of

POST = table_of(PostRow)
FS = table_of(FeedState)
OUTCOME = table_of(PollOutcome)
PROFILE = table_of(ProfileSnapshot)
_MAX_POST_ID = 256
_IN_CHUNK = 500  # ids per IN (…) list
# profile_snapshot.followers is INTEGER: 32 bits on PostgreSQL. A count beyond it ("30亿") is
# dropped and recorded, so that it neither aborts the write of everyone in the batch nor is
# stored on SQLite only.
FOLLOWERS_MAX = 2**31 - 1
# Outcomes after which an account waits before its next poll; `unavailable` is an answer about
# an app (the probe worked), not a failing source.
_BACKOFF_EXEMPT = frozenset({Outcome.OK, Outcome.NOT_MODIFIED, Outcome.UNAVAILABLE})


@dataclass
class PollResult:
    """One account's poll, ready to store. `state` holds the feed_state validators to keep
    (etag, last_modified, body_hash, profile_*), set only for what was fetched successfully."""

    account: str
    outcome: str
    started_at: datetime
    seconds: float = 0.0
    http_status: int | None = None
    detail: str | None = None
    parsed: ParsedFeed | None = None
    state: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None
    new_posts: int = 0
    items: int | None = None  # items the feed held when fetched successfully (0: an empty feed)
    website: Any = None       # a 政府网站's poll (connectors.website.WebsiteResult), stored in website_poll


def website_values(result: PollResult) -> dict[str, Any]:
    """The website_poll row of one 政府网站's poll."""
    site = result.website
    return {"account": result.account, "run_id": result.run_id, "polled_at": result.started_at,
            "seconds": result.seconds, "outcome": str(result.outcome), "http_status": result.http_status,
            "detail": result.detail, "homepage_url": site.homepage_url, "homepage_newest": site.homepage_newest,
            "homepage_dates": site.homepage_dates, "columns": site.columns, "links_checked": site.links_checked,
            "broken_links": site.broken_links, "marks": site.marks, "jiucuo": site.jiucuo,
            "page_tags": site.page_tags, "ipv6_aaaa": site.ipv6_aaaa, "ipv6_ok": site.ipv6_ok}


def stored_post_id(post_id: str) -> str:
    """Ids longer than the column are replaced by a stable hash of themselves."""
    if len(post_id) <= _MAX_POST_ID:
        return post_id
    return "sha1:" + hashlib.sha1(post_id.encode("utf-8")).hexdigest()


def post_values(account: str, post: Post, *, seen_at: datetime, source: str, signals: dict[str, Any] | None) -> dict[str, Any]:
    values = {
        "account": account, "post_id": stored_post_id(post.post_id), "published_at": post.published_at,
        "title": post.title or "", "text": post.text or "", "url": post.url, "links": list(post.links) or None,
        "is_repost": bool(post.is_repost), "is_pinned": bool(post.is_pinned), "is_ad": bool(post.is_ad),
        "comments_enabled": post.comments_enabled, "first_seen_at": seen_at, "source": source,
        "sig_ad_domain": None, "sig_privacy": None, "sig_lexicon": None, "sig_stop_notice": False,
        "signals_version": None,
    }
    if signals:
        values.update(signals)
    return values


def backoff_delay(failures: int, poll: dict[str, Any]) -> timedelta:
    """base · 2^(failures−1), capped: 30 min, 1 h, 2 h … 48 h with the defaults."""
    minutes = poll["backoff_base_minutes"] * 2 ** min(max(failures - 1, 0), 30)
    return min(timedelta(minutes=minutes), timedelta(hours=poll["backoff_max_hours"]))


class Store:
    """Writes poll results; holds what every write of a run shares (signal lists, limits).

    A batch of results is written set-wise — one query for the already-known post ids, one
    multi-row insert each for posts, snapshots, feed states and outcomes — in one transaction."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.poll = settings.section("poll")
        self.signals = signal_config(settings)
        self._insert = dialect_insert(db)

    def store(self, results: list[PollResult]) -> None:
        """Store results in one transaction; each result's `new_posts` is set."""
        for result in results:
            _check_profile(result)
        with self.db.write() as session:
            self._store_posts(session, results)
            snapshots = [{"account": r.account, "taken_at": r.started_at, **_profile_values(r.parsed)}
                         for r in results if r.parsed and r.parsed.profile and _has_values(r.parsed)]
            if snapshots:
                session.execute(insert(PROFILE), snapshots)
            self._store_states(session, results)
            session.execute(insert(OUTCOME), [
                {"account": r.account, "run_id": r.run_id, "started_at": r.started_at, "seconds": r.seconds,
                 "outcome": str(r.outcome), "http_status": r.http_status, "detail": r.detail,
                 "new_posts": r.new_posts, "items": r.items if r.outcome == Outcome.OK else None}
                for r in results])
            sites = [website_values(r) for r in results if r.website is not None]
            if sites:
                session.execute(insert(table_of(WebsitePoll)), sites)

    def _new_posts(self, session: Session, results: list[PollResult]) -> dict[tuple[str, str], Post]:
        wanted: dict[tuple[str, str], Post] = {}
        for result in results:
            for post in result.parsed.posts if result.parsed else ():
                wanted.setdefault((result.account, stored_post_id(post.post_id)), post)  # the first one wins
        if not wanted:
            return wanted
        known: set[tuple[str, str]] = set()
        accounts = sorted({account for account, _ in wanted})
        ids = sorted({post_id for _, post_id in wanted})
        for chunk in range(0, len(ids), _IN_CHUNK):
            query = select(POST.c.account, POST.c.post_id).where(
                POST.c.account.in_(accounts), POST.c.post_id.in_(ids[chunk:chunk + _IN_CHUNK]))
            known.update((row.account, row.post_id) for row in session.execute(query))
        return {key: post for key, post in wanted.items() if key not in known}

    def _store_posts(self, session: Session, results: list[PollResult]) -> None:
        for result in results:
            result.new_posts = 0
        fresh = self._new_posts(session, results)
        if not fresh:
            return
        seen_at = now_utc()
        rows = [post_values(account, post, seen_at=seen_at, source="poll",
                            signals=post_signals(post, self.signals))
                for (account, _post_id), post in fresh.items()]
        session.execute(self._insert(POST).on_conflict_do_nothing(index_elements=["account", "post_id"]), rows)
        counts = Counter(account for account, _ in fresh)
        for result in results:
            result.new_posts = counts.get(result.account, 0)

    def _store_states(self, session: Session, results: list[PollResult]) -> None:
        accounts = [r.account for r in results]
        failures: dict[str, int | None] = {
            row.account: row.consecutive_failures for row in session.execute(
                select(FS.c.account, FS.c.consecutive_failures).where(FS.c.account.in_(accounts)))}
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for result in results:
            values: dict[str, Any] = {"last_polled_at": result.started_at, "last_outcome": str(result.outcome)}
            if result.outcome in _BACKOFF_EXEMPT:
                values.update(consecutive_failures=0, next_poll_at=None, **result.state)
            else:
                count = (failures.get(result.account) or 0) + 1
                values.update(consecutive_failures=count,
                              next_poll_at=result.started_at + backoff_delay(count, self.poll))
            groups.setdefault(tuple(sorted(values)), []).append({"account": result.account, **values})
        for columns, rows in groups.items():  # one upsert per set of columns written
            statement = self._insert(FS)
            statement = statement.on_conflict_do_update(
                index_elements=["account"], set_={name: statement.excluded[name] for name in columns})
            session.execute(statement, rows)


def _check_profile(result: PollResult) -> None:
    """Drop profile values the store cannot hold (or the parser dropped) and make them the
    account's outcome: a parse error, so that it backs off like any failing account; its posts
    and the rest of its profile are stored all the same."""
    profile = result.parsed.profile if result.parsed else None
    if profile is None:
        return
    problems = list(profile.warnings)
    if profile.followers is not None and not 0 <= profile.followers <= FOLLOWERS_MAX:
        problems.append(f"follower count {profile.followers} out of range (over {FOLLOWERS_MAX}); dropped")
        assert result.parsed is not None  # it holds `profile`
        result.parsed = replace(result.parsed, profile=replace(profile, followers=None))
    if not problems:
        return
    text = "profile: " + "; ".join(problems)
    if Outcome(result.outcome).failed:
        result.detail = f"{result.detail}; {text}"[:500] if result.detail else text[:500]
        return
    result.outcome, result.detail = Outcome.PARSE_ERROR, text[:500]


def _has_values(parsed: ParsedFeed) -> bool:
    return any(value is not None for value in _profile_values(parsed).values())


def _profile_values(parsed: ParsedFeed) -> dict[str, Any]:
    profile = parsed.profile
    if profile is None:
        return {"display_name": None, "verified": None, "verified_reason": None, "followers": None}
    name = profile.display_name[:256] if profile.display_name else profile.display_name
    return {"display_name": name, "verified": profile.verified, "verified_reason": profile.verified_reason,
            "followers": profile.followers}


def store_poll_result(db: Database, account: str, outcome: str, parsed: ParsedFeed | None, *,
                      settings: Settings | None = None, started_at: datetime | None = None, seconds: float = 0.0,
                      http_status: int | None = None, detail: str | None = None,
                      state: dict[str, Any] | None = None, run_id: str | None = None,
                      items: int | None = None) -> int:
    """Store one account's poll in one transaction; returns the number of new posts. `items`
    (what a successful fetch held) defaults to the number of parsed posts."""
    if items is None and parsed is not None:
        items = len(parsed.posts)
    result = PollResult(account=account, outcome=outcome, started_at=started_at or now_utc(), seconds=seconds,
                        http_status=http_status, detail=detail, parsed=parsed, state=dict(state or {}),
                        run_id=run_id, items=items)
    Store(db, settings or load_settings()).store([result])
    return result.new_posts
