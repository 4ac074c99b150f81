"""What a check sees at time `at`: the registry replayed from the filing events effective by
then, and the facts (set-based queries) the rules ask for, each computed once per check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tracker.models import AccountStatus, FilingEvent
from tracker.settings import Settings
from tracker.timeutil import as_utc, local_date


def in_region(path: str, region: str | None) -> bool:
    return region is None or path == region or path.startswith(region.rstrip("/") + "/")


@dataclass
class CheckContext:
    session: Session
    settings: Settings
    at: datetime                      # aware UTC
    states: dict[str, Any]            # every account as of `at` (tracker.registry_state.AccountState)
    events: list[FilingEvent]         # filing events effective on or before the local date of `at`
    checked: dict[str, Any] = field(default_factory=dict)  # the accounts this check judges
    _facts: dict[tuple, Any] = field(default_factory=dict, repr=False)

    @property
    def at_date(self) -> date:
        return local_date(self.at)

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

    def judged(self, items: Iterable[tuple[str, Any]]) -> Iterable[tuple[str, Any]]:
        """Only the pairs whose account this check judges."""
        return ((account, value) for account, value in items if account in self.checked)


def is_checked(state: Any, at_date: date) -> bool:
    """Deregistered accounts and accounts not opened yet are not checked."""
    return state.status != AccountStatus.DEREGISTERED and state.record.opened_on <= at_date


def build_context(session: Session, settings: Settings, at: datetime, *, region: str | None = None,
                  accounts: Iterable[str] | None = None) -> CheckContext:
    from tracker.registry import events_as_of
    from tracker.registry_state import replay

    at = as_utc(at)
    events = events_as_of(session, at)
    states = replay(events, strict=False)
    wanted = set(accounts) if accounts is not None else None
    at_date = local_date(at)
    checked = {
        key: state for key, state in states.items()
        if is_checked(state, at_date) and in_region(state.record.region, region) and (wanted is None or key in wanted)
    }
    return CheckContext(session=session, settings=settings, at=at, states=states, events=events, checked=checked)
