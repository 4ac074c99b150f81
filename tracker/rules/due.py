"""临期 (due): when an update-family rule will start to fire on an account unless it posts —
from the same facts and the same windows as the rules (`tracker.rules.update`). Pure.

`no_update` fires at T once no post lies in (T − window_days, T]: with the newest post (or
`updates_seen` time) at L, from L + window_days on. `low_frequency` fires once fewer than
`min_posts` lie in the window: from P + window_days on, P the `min_posts`-th newest post.
An account is due within N days when that moment lies in (at, at + N days]; one that already
fires is not due (it is a finding)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tracker.rules.context import CheckContext
from tracker.rules.update import _subject

DUE_RULES = ("no_update", "low_frequency")


@dataclass(frozen=True, slots=True)
class Due:
    account: str
    rule: str
    lapses_at: datetime        # the first moment the rule fires unless the account posts
    last_post_at: datetime     # the post whose ageing makes it fire (the newest, or the min_posts-th newest)
    window_days: int


def _post_times(ctx: CheckContext, n: int) -> dict[str, list[datetime]]:
    """The `n` newest update times per account, an `updates_seen` time merged in as the rules do."""
    times = {key: list(values) for key, values in ctx.facts.newest_post_times(ctx.at, n).items()}
    for key, summary in ctx.update_posts().items():
        held = times.setdefault(key, [])
        if not held or summary.last_post_at > held[0]:
            held.insert(0, summary.last_post_at)
            del held[n:]
    return times


def subject_keys(ctx: CheckContext) -> list[str]:
    """The accounts the update family judges (running, not apps or websites)."""
    return [key for key, _state in _subject(ctx)]


def due_within(ctx: CheckContext, days: float) -> list[Due]:
    """Every (account, rule) of `DUE_RULES`, enabled, that starts to fire in (at, at + days]."""
    horizon = ctx.at + timedelta(days=days)
    found: list[Due] = []
    for code in DUE_RULES:
        cfg = ctx.config(code)
        if not cfg["enabled"]:
            continue
        window = int(cfg["window_days"])
        need = 1 if code == "no_update" else int(cfg["min_posts"])
        times = _post_times(ctx, need)
        for key, _state in _subject(ctx):
            held = times.get(key, [])
            if len(held) < need:
                continue  # fires already
            anchor = held[need - 1]
            lapse = anchor + timedelta(days=window)
            if ctx.at < lapse <= horizon:
                found.append(Due(key, code, lapse, anchor, window))
    return sorted(found, key=lambda d: (d.lapses_at, d.account, d.rule))
