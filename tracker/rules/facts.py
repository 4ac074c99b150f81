"""What the rules read: the facts of one check as of `at`, behind one interface. `judging` loads
them from the database with set-based queries (`tracker.judging.facts.SqlFacts`, each fact
computed once per check); a rule test hands them over built by hand (`GivenFacts`). Rows are
read by attribute (`row.account`, `row.published_at` …), as the queries return them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class PostSummary:
    last_post_at: datetime
    counts: dict[float, int]  # window span in days → posts in (at − span, at]
    reposts: int              # reposts in the repost window


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the tool has seen of one account with a feed (docs/architecture.md, evidence of
    absence): the span [seen_from, seen_to]; `seen_from` None with `unbounded` is minus infinity."""

    seen_from: datetime | None
    seen_to: datetime | None          # None: neither a successful fetch nor an updates_seen
    unbounded: bool                   # an empty successful fetch or `updates_seen --latest none`
    last_ok_at: datetime | None       # the newest successful fetch (any time: evidence of absence)
    oldest_post_at: datetime | None   # the oldest stored post (feeds and archives)

    def covers(self, start: datetime | None, end: datetime) -> bool:
        """Whether the span (start, end] lies inside [seen_from, seen_to]; start None: unbounded."""
        if self.seen_to is None or end > self.seen_to:
            return False
        if self.unbounded:
            return True
        return self.seen_from is not None and start is not None and self.seen_from <= start


@dataclass(frozen=True, slots=True)
class ProbeCounts:
    """A website's availability probes in a window (docs/contract.md §10)."""

    total: int
    failed: int        # timeouts and errors
    timeouts: int
    first_at: datetime | None
    last_at: datetime | None


class Facts(Protocol):
    """Each method answers for every account at once (never one account at a time)."""

    def post_summary(self, at: datetime, spans: tuple[float, ...], repost_span: float) -> dict[str, PostSummary]:
        """Per account with a post at or before `at`: newest post, posts per window, reposts."""

    def signal_posts(self, lo: datetime, at: datetime) -> list[Any]:
        """Posts in (lo, at] with an ad, privacy or lexicon signal, by account and time."""

    def stop_notices(self, until: datetime) -> dict[str, Any]:
        """Per account, the newest post announcing that it stops, published at or before `until`."""

    def latest_comment_flags(self, at: datetime) -> dict[str, tuple[datetime, bool]]:
        """Per account, (time, enabled) of the newest post whose source says whether comments are on."""

    def comments_off_posts_at(self, moments: dict[str, datetime]) -> dict[str, Any]:
        """The post of each account published at the moment given, with comments off (evidence)."""

    def latest_observations(self, at: datetime, kinds: tuple[str, ...]) -> dict[str, Any]:
        """Per account, the newest observation among `kinds` made at or before `at`."""

    def latest_profiles(self, at: datetime, part: str) -> dict[str, Any]:
        """Per account, the newest profile snapshot that tells `part` ("name" or "verification")."""

    def follower_steps(self, at: datetime) -> list[Any]:
        """Follower growth between consecutive snapshots with no post in between."""

    def failures_since_success(self, at: datetime) -> dict[str, Any]:
        """Per account with failed polls: failures after the last success, that success, the newest poll."""

    def last_polls(self, moments: dict[str, datetime]) -> dict[str, Any]:
        """The poll of each account started at the moment given (evidence)."""

    def latest_app_probes(self, at: datetime, outcomes: tuple[str, ...]) -> dict[str, Any]:
        """Per `app` account, the newest probe whose outcome is one of `outcomes`."""

    def judged_filings(self, until: date) -> list[Any]:
        """Filing events effective by `until`, except those of the first registry import."""

    def coverage(self, at: datetime, grace_hours: float) -> dict[str, Coverage]:
        """Per account with a feed (apps aside): the span its feed and the inspectors have seen."""

    def latest_updates_seen(self, at: datetime) -> dict[str, Any]:
        """Per account, the newest `updates_seen` observation made at or before `at`."""

    def failing_polls(self, accounts: Iterable[str]) -> dict[str, tuple[datetime | None, str | None]]:
        """For a few accounts: when the failing began (after the last success) and the newest failure's outcome."""

    def newest_post_times(self, at: datetime, n: int) -> dict[str, list[datetime]]:
        """Per account with a post at or before `at`: the times of its `n` newest such posts, newest first."""
    def website_probes(self, since: datetime, at: datetime) -> dict[str, ProbeCounts]:
        """Per website with probes in (since, at]: how many, how many failed."""

    def website_polls(self, at: datetime) -> dict[str, Any]:
        """Per website, its newest successful poll at or before `at` (a website_poll row)."""


@dataclass
class GivenFacts:
    """Facts built by hand (rule tests, what-if checks): each method returns what was given,
    whatever the window it is asked for — the windows are the loader's business."""

    posts: dict[str, PostSummary] = field(default_factory=dict)
    signals: list[Any] = field(default_factory=list)
    stops: dict[str, Any] = field(default_factory=dict)
    comment_flags: dict[str, tuple[datetime, bool]] = field(default_factory=dict)
    comments_off_posts: dict[str, Any] = field(default_factory=dict)
    observations: dict[str, Any] = field(default_factory=dict)   # account → observation row (any kind)
    profiles: dict[str, Any] = field(default_factory=dict)
    steps: list[Any] = field(default_factory=list)
    failures: dict[str, Any] = field(default_factory=dict)
    polls: dict[str, Any] = field(default_factory=dict)
    app_probes: dict[str, Any] = field(default_factory=dict)
    filings: list[Any] = field(default_factory=list)
    seen: dict[str, Coverage] = field(default_factory=dict)       # accounts with a feed
    updates_seen: dict[str, Any] = field(default_factory=dict)
    failing: dict[str, tuple[datetime | None, str | None]] = field(default_factory=dict)
    post_times: dict[str, list[datetime]] = field(default_factory=dict)  # account → post times, newest first
    probes: dict[str, ProbeCounts] = field(default_factory=dict)
    sites: dict[str, Any] = field(default_factory=dict)          # account → website poll row

    def website_probes(self, since, at):
        return self.probes

    def website_polls(self, at):
        return self.sites

    def post_summary(self, at, spans, repost_span):
        return self.posts

    def signal_posts(self, lo, at):
        return self.signals

    def stop_notices(self, until):
        return self.stops

    def latest_comment_flags(self, at):
        return self.comment_flags

    def comments_off_posts_at(self, moments):
        return {key: row for key, row in self.comments_off_posts.items() if key in moments}

    def latest_observations(self, at, kinds):
        return {key: row for key, row in self.observations.items() if row.kind in kinds}

    def latest_profiles(self, at, part):
        return self.profiles

    def follower_steps(self, at):
        return self.steps

    def failures_since_success(self, at):
        return self.failures

    def last_polls(self, moments):
        return {key: row for key, row in self.polls.items() if key in moments}

    def latest_app_probes(self, at, outcomes):
        return {key: row for key, row in self.app_probes.items() if row.outcome in outcomes}

    def judged_filings(self, until):
        return self.filings

    def coverage(self, at, grace_hours):
        return self.seen

    def latest_updates_seen(self, at):
        return self.updates_seen

    def failing_polls(self, accounts):
        return {key: value for key, value in self.failing.items() if key in set(accounts)}

    def newest_post_times(self, at, n):
        return {key: times[:n] for key, times in self.post_times.items() if times}
