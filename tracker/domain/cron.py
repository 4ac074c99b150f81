"""Cron expressions of `[schedule]`: the trigger of a job and its latest fire time before now."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from tracker.domain.errors import ConfigError


def cron_trigger(expression: str, timezone: str, key: str = "schedule") -> CronTrigger:
    """Five fields (crontab) or six with seconds first; a bad one names its config key."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"[schedule] timezone: unknown time zone {timezone!r}") from exc
    fields = expression.split()
    try:
        if len(fields) == 5:
            return CronTrigger.from_crontab(expression, timezone=zone)
        if len(fields) == 6:
            names = ("second", "minute", "hour", "day", "month", "day_of_week")
            return CronTrigger(**dict(zip(names, fields, strict=True)), timezone=zone)
    except ValueError as exc:
        raise ConfigError(f"[schedule] {key}: not a cron expression {expression!r}: {exc}") from exc
    raise ConfigError(f"[schedule] {key}: a cron expression has 5 fields (or 6 with seconds first), got {expression!r}")


def previous_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The latest fire time at or before `now` within a year (APScheduler 3 only looks forward)."""
    for lookback in (timedelta(minutes=1), timedelta(hours=1), timedelta(days=1), timedelta(days=8),
                     timedelta(days=32), timedelta(days=367)):
        fire = trigger.get_next_fire_time(None, now - lookback)
        if fire is None or fire > now:
            continue
        for _ in range(100_000):
            following = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
            if following is None or following > now:
                return fire
            fire = following
    return None
