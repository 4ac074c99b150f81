"""临期 list (`tracker due`, the TUI's 临期 N): the accounts that will fall into an update-family
finding within N days unless they post, from the rules' own facts (`tracker.rules.due`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracker.domain.errors import TrackerError
from tracker.domain.times import as_utc
from tracker.judging.context import build_context
from tracker.rules.catalogue import rule_config
from tracker.rules.context import CheckContext
from tracker.rules.due import Due, due_within, subject_keys
from tracker.settings import Settings
from tracker.storage.db import Database

WARN_FROM_DAY = 10  # the first 临期预警 comes on day 10 of the window (day 10 of 14: 4 days ahead)


def default_days(settings: Settings) -> float:
    """`--days` by default: [rules.no_update] window_days − 10 (4 for the default 14-day window), not below 0."""
    return float(max(0, int(rule_config(settings, "no_update")["window_days"]) - WARN_FROM_DAY))


@dataclass(frozen=True)
class DueLine:
    due: Due
    account_name: str
    org_name: str
    region: str
    days_left: float   # (lapses_at − at) in days


@dataclass(frozen=True)
class UnverifiedLine:
    """A running account whose feed never succeeded or has failed beyond `[coverage] grace_hours`:
    its newest post is unknown, so whether it is due is unknown (待核实), never claimed."""
    account: str
    account_name: str
    org_name: str
    region: str
    last_failure: str | None   # the newest failing poll's outcome, if any


@dataclass(frozen=True)
class DueList:
    due: list[DueLine]
    unverified: list[UnverifiedLine]


def due_accounts(db: Database, settings: Settings, at: datetime, days: float | None = None, *,
                 region: str | None = None) -> DueList:
    days = default_days(settings) if days is None else days
    if days < 0:
        raise TrackerError(f"--days must be 0 or more, got {days:g}")
    at = as_utc(at)
    with db.session() as session:
        return due_in_context(build_context(session, settings, at, region=region), days)


def due_in_context(ctx: CheckContext, days: float) -> DueList:
    """The 临期 list of a check context already built (its session still open): `tracker due`
    and the alerts' 临期预警 (tracker.alerts.compose) read it alike."""
    at = ctx.at
    # never fetched, or failing beyond the grace: whether it posted is unknown (待核实), never claimed
    blind = {key for key, cover in ctx.coverage().items() if cover.seen_to is None or cover.seen_to < at} & set(subject_keys(ctx))
    found = [d for d in due_within(ctx, days) if d.account not in blind]
    failing = ctx.facts.failing_polls(sorted(blind)) if blind else {}
    states = ctx.checked
    return DueList(
        [DueLine(d, states[d.account].account_name, states[d.account].org_name, states[d.account].region,
                 round((d.lapses_at - at).total_seconds() / 86400, 2)) for d in found],
        [UnverifiedLine(key, states[key].account_name, states[key].org_name, states[key].region,
                        failing.get(key, (None, None))[1]) for key in sorted(blind)])
