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
from tracker.rules.facts import Facts, PostSummary
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

    def __post_init__(self) -> None:
        self.at_date = local_date(self.at)

    def ago(self, days: float) -> datetime:
        return self.at - timedelta(days=days)

    def config(self, code: str) -> dict[str, Any]:
        return rule_config(self.settings, code)

    def posts(self) -> dict[str, PostSummary]:
        """`PostSummary` per account with a post at or before `at` (absent: no post)."""
        spans = tuple(sorted({float(self.config(code)["window_days"]) for code in WINDOW_RULES}))
        return self.facts.post_summary(self.at, spans, float(self.config("repost_only")["window_days"]))

    def judged(self, items: Iterable[tuple[str, Any]]) -> Iterable[tuple[str, Any]]:
        """Only the pairs whose account this check judges."""
        return ((account, value) for account, value in items if account in self.checked)


def is_checked(state: AccountAsOf, at_date: date) -> bool:
    """Deregistered accounts and accounts not opened yet are not checked."""
    return state.status != AccountStatus.DEREGISTERED and state.opened_on <= at_date
