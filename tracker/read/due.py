"""临期 list (`tracker due`, the TUI's 临期 N): the accounts that will fall into an update-family
finding within N days unless they post, from the rules' own facts (`tracker.rules.due`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracker.domain.errors import TrackerError
from tracker.domain.times import as_utc
from tracker.judging.context import build_context
from tracker.rules.due import Due, due_within
from tracker.settings import Settings
from tracker.storage.db import Database

DEFAULT_DAYS = 4  # the first 临期预警 before a 14-day window closes (day 10)


@dataclass(frozen=True)
class DueLine:
    due: Due
    account_name: str
    org_name: str
    region: str
    days_left: float   # (lapses_at − at) in days


def due_accounts(db: Database, settings: Settings, at: datetime, days: float = DEFAULT_DAYS, *,
                 region: str | None = None) -> list[DueLine]:
    if days < 0:
        raise TrackerError(f"--days must be 0 or more, got {days:g}")
    at = as_utc(at)
    with db.session() as session:
        ctx = build_context(session, settings, at, region=region)
        found = due_within(ctx, days)
        states = ctx.checked
    return [DueLine(d, states[d.account].account_name, states[d.account].org_name, states[d.account].region,
                    round((d.lapses_at - at).total_seconds() / 86400, 2)) for d in found]
