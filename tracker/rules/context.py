"""What a check sees at time `at`: the registry as of then, and the facts (set-based queries) the
rules ask for, each computed once per check.

The registry as of `at` is the replay of the filing events effective by then
(`tracker.registry.state.replay`). When no event takes effect after `at` — the nightly check —
the replay equals the cached state in table `account`, which is read instead (no JSON to decode).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.domain.models import AccountStatus, FilingEvent
from tracker.domain.regions import in_region
from tracker.registry.state import AccountState, replay
from tracker.settings import Settings
from tracker.storage.tables import Account, FilingEventRow
from tracker.domain.times import as_utc, local_date

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
    session: Session
    settings: Settings
    at: datetime                      # aware UTC
    states: dict[str, AccountAsOf]   # every account as of `at`
    checked: dict[str, AccountAsOf] = field(default_factory=dict)  # the accounts this check judges
    at_date: date = field(init=False)  # the Asia/Shanghai date of `at`
    _facts: dict[tuple, Any] = field(default_factory=dict, repr=False)
    # account → (rule that would fire, the span it speaks of): update-family findings on spans the
    # tool has not seen (CONTRACT §6.4), filled by the engine, reported by rule `unverified`
    unverified: dict[str, tuple[str, datetime]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.at_date = local_date(self.at)

    def ago(self, days: float) -> datetime:
        return self.at - timedelta(days=days)

    def config(self, code: str) -> dict[str, Any]:
        return self.settings.rule(code)

    def fact(self, func: Callable[..., Any], *args: Any) -> Any:
        """`func(session, *args)`, computed once per check."""
        key = (func.__name__, *args)
        if key not in self._facts:
            self._facts[key] = func(self.session, *args)
        return self._facts[key]

    def posts(self) -> dict[str, Any]:
        """`facts.PostSummary` per account with a post at or before `at` (absent: no post)."""
        from tracker.judging.facts import post_summary

        return self.fact(post_summary, self.at, self._spans(), float(self.config("repost_only")["window_days"]))

    def update_posts(self) -> dict[str, Any]:
        """`posts()` for the update family: the newest `updates_seen` observation at or before
        `at` counts as one post at its `--latest` time, unless a stored post has that time or a
        later one (CONTRACT §6.4)."""
        key = ("update_posts",)
        if key not in self._facts:
            from tracker.judging.facts import PostSummary, latest_updates_seen

            merged = dict(self.posts())
            for account, look in self.fact(latest_updates_seen, self.at).items():
                latest = look.latest_at
                held = merged.get(account)
                if latest is None or latest > self.at or (held is not None and held.last_post_at >= latest):
                    continue
                counts = {span: (held.counts[span] if held else 0) + (latest > self.at - timedelta(days=span))
                          for span in (held.counts if held else self._spans())}
                merged[account] = PostSummary(latest, counts, held.reposts if held else 0)
            self._facts[key] = merged
        return self._facts[key]

    def _spans(self) -> tuple[float, ...]:
        return tuple(sorted({float(self.config(code)["window_days"]) for code in WINDOW_RULES}))

    def coverage(self) -> dict[str, Any]:
        """`facts.Coverage` per account with a feed (absent: judged on what the tool holds)."""
        from tracker.judging.facts import coverage

        return self.fact(coverage, self.at, self.settings.grace_hours)

    def judged(self, items: Iterable[tuple[str, Any]]) -> Iterable[tuple[str, Any]]:
        """Only the pairs whose account this check judges."""
        return ((account, value) for account, value in items if account in self.checked)


def is_checked(state: AccountAsOf, at_date: date) -> bool:
    """Deregistered accounts and accounts not opened yet are not checked."""
    return state.status != AccountStatus.DEREGISTERED and state.opened_on <= at_date


def _cached_states(session: Session) -> dict[str, AccountAsOf]:
    table = Account.__table__
    columns = [table.c[name] for name in ("account", *_VIEW_FIELDS)]
    return {key: AccountAsOf(*values) for key, *values in session.connection().execute(select(*columns))}


_VIEW_FIELDS = ("region", "org_name", "org_code", "platform", "account_name", "opened_on", "status", "suspended_on")


def _view(state: AccountState) -> AccountAsOf:
    record = state.record
    return AccountAsOf(record.region, record.org_name, record.org_code, record.platform, record.account_name,
                       record.opened_on, record.status, state.suspended_on)


def _replayed_states(session: Session, until: date) -> dict[str, AccountAsOf]:
    table = FilingEventRow.__table__
    query = select(table).where(table.c.effective_on <= until).order_by(table.c.effective_on, table.c.id)
    events = [FilingEvent(account=r.account, kind=r.kind, effective_on=r.effective_on, recorded_at=r.recorded_at,
                          by=r.by, approver=r.approver, doc_no=r.doc_no, payload=dict(r.payload or {}), id=r.id)
              for r in session.connection().execute(query)]
    return {key: _view(state) for key, state in replay(events, strict=False).items()}


def states_as_of(session: Session, at: datetime) -> dict[str, AccountAsOf]:
    until = local_date(at)
    later = session.connection().execute(select(FilingEventRow.id).where(FilingEventRow.effective_on > until).limit(1))
    return _replayed_states(session, until) if later.first() is not None else _cached_states(session)


def build_context(session: Session, settings: Settings, at: datetime, *, region: str | None = None,
                  accounts: Iterable[str] | None = None) -> CheckContext:
    at = as_utc(at)
    states = states_as_of(session, at)
    wanted = set(accounts) if accounts is not None else None
    at_date = local_date(at)
    checked = {
        key: state for key, state in states.items()
        if is_checked(state, at_date) and in_region(state.region, region) and (wanted is None or key in wanted)
    }
    return CheckContext(session=session, settings=settings, at=at, states=states, checked=checked)
