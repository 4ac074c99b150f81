"""What a check sees at time `at`: every account as of then, the accounts it judges, the config
and the facts (`tracker.rules.facts.Facts`). Pure: `tracker.judging.context.build_context` loads
it from the database; a rule test builds it by hand."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tracker.domain.models import AccountStatus
from tracker.domain.regions import in_region  # noqa: F401  (part of this API: the check's region filter)
from tracker.domain.times import local_date
from tracker.rules.catalogue import rule_config
from tracker.rules.facts import Coverage, Facts, PostSummary
from tracker.settings import Settings

# Rules counting posts in windows; one query answers all their windows.
WINDOW_RULES = ("no_update", "low_frequency", "repost_only")


@dataclass(slots=True)
class AccountAsOf:
    """What the rules need of one account as of `at` (lighter than AccountRecord: 100,000 of
    them are built per check)."""

    region: str
    org_name: str
    org_code: str
    platform: str
    account_name: str
    opened_on: date
    status: str
    suspended_on: date | None


@dataclass
class CheckContext:
    facts: Facts
    settings: Settings
    at: datetime                      # aware UTC
    states: dict[str, AccountAsOf]   # every account as of `at`
    checked: dict[str, AccountAsOf] = field(default_factory=dict)  # the accounts this check judges
    at_date: date = field(init=False)  # the Asia/Shanghai date of `at`
    # account → (rule that would fire, the span it speaks of): update-family findings on spans the
    # tool has not seen (evidence of absence), filled by the engine, reported by rule `unverified`
    unverified: dict[str, tuple[str, datetime]] = field(default_factory=dict, repr=False)
    # website → what each veto rule of the websites could not judge (too few probes, no homepage fetched)
    website_unverified: dict[str, list[dict[str, Any]]] | None = field(default=None, repr=False)
    _update_posts: dict[str, PostSummary] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.at_date = local_date(self.at)

    def ago(self, days: float) -> datetime:
        return self.at - timedelta(days=days)

    def config(self, code: str) -> dict[str, Any]:
        return rule_config(self.settings, code)

    def posts(self) -> dict[str, PostSummary]:
        """`PostSummary` per account with a post at or before `at` (absent: no post)."""
        return self.facts.post_summary(self.at, self._spans(), float(self.config("repost_only")["window_days"]))

    def update_posts(self) -> dict[str, PostSummary]:
        """`posts()` for the update family: the newest `updates_seen` observation at or before
        `at` counts as one post at its `--latest` time, unless a stored post has that time or a
        later one (evidence of absence)."""
        if self._update_posts is None:
            merged = dict(self.posts())
            for account, look in self.facts.latest_updates_seen(self.at).items():
                latest = look.latest_at
                held = merged.get(account)
                if latest is None or latest > self.at or (held is not None and held.last_post_at >= latest):
                    continue
                counts = {span: (held.counts[span] if held else 0) + (latest > self.at - timedelta(days=span))
                          for span in (held.counts if held else self._spans())}
                merged[account] = PostSummary(latest, counts, held.reposts if held else 0)
            self._update_posts = merged
        return self._update_posts

    def _spans(self) -> tuple[float, ...]:
        return tuple(sorted({float(self.config(code)["window_days"]) for code in WINDOW_RULES}))

    def coverage(self) -> dict[str, Coverage]:
        """`Coverage` per account with a feed (absent: judged on what the tool holds)."""
        return self.facts.coverage(self.at, self.settings.grace_hours)

    def judged(self, items: Iterable[tuple[str, Any]]) -> Iterable[tuple[str, Any]]:
        """Only the pairs whose account this check judges."""
        return ((account, value) for account, value in items if account in self.checked)


def is_checked(state: AccountAsOf, at_date: date) -> bool:
    """Deregistered accounts and accounts not opened yet are not checked."""
    return state.status != AccountStatus.DEREGISTERED and state.opened_on <= at_date
