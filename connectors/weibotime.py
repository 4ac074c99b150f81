"""Weibo `created_at` in all its forms → aware UTC, resolved against the fetch time.

The mobile API writes "Tue Jul 01 08:00:00 +0800 2026" for most posts but, depending on the
endpoint and the post's age, also 刚刚, N秒前, N分钟前, N小时前, 今天 HH:MM, 昨天 HH:MM,
MM-DD (this year, or last year if that date is still to come) and YYYY-MM-DD. Calendar forms are
Asia/Shanghai wall time. For the forms that show only a day or a relative time, the post's `mid`
gives the exact second when it agrees with what is shown; else a date without a time is that
day's 00:00.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from connectors.base import SHANGHAI, as_utc
from connectors.feedtime import parse_feed_time

_AGO = re.compile(r"^(\d+)\s*(秒|分钟|小时|天)前$")
_DAY_WORD = re.compile(r"^(今天|昨天|前天)\s*(\d{1,2}):(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$")
_FULL_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
# "Tue Jul 01 08:00:00 +0800 2026", read without strptime so that no locale setting can break it.
_API_TIME = re.compile(
    r"^(?:[A-Za-z]{3}\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+([+-])(\d{2}):?(\d{2})\s+(\d{4})$")
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_UNITS = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}
_DAYS_BACK = {"今天": 0, "昨天": 1, "前天": 2}


def _local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI).astimezone(UTC)


def mid_time(mid: object) -> datetime | None:
    """The second a Weibo `mid` (or numeric `id`) encodes: `(mid >> 22) + 515483463` Unix
    seconds; None for anything that is no positive integer id or encodes no plausible time."""
    text = mid.strip() if isinstance(mid, str) else str(mid) if isinstance(mid, int) and not isinstance(mid, bool) else ""
    if not text.isdigit() or len(text) > 20:
        return None
    seconds = (int(text) >> 22) + _MID_EPOCH
    if seconds < _MID_EARLIEST:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


_MID_EPOCH = 515483463
_MID_EARLIEST = 1_246_406_400  # 2009-07-01: before Weibo existed, a "mid" is no mid
_SLACK = timedelta(seconds=60)  # the fetch and the server's rendering of "N分钟前" differ a little
_MINUTE, _DAY = timedelta(minutes=1), timedelta(days=1)


def _shown(text: str, fetched: datetime) -> tuple[datetime, datetime, datetime] | datetime | None:
    """What `created_at` says: (shown time, earliest, latest) for the forms that give only a
    day or a relative time, the exact time for the API form, None if unreadable."""
    local_now = fetched.astimezone(SHANGHAI)
    if text == "刚刚":
        return fetched, fetched - _MINUTE, fetched
    if match := _AGO.match(text):
        unit = timedelta(**{_UNITS[match.group(2)]: 1})
        shown = fetched - unit * int(match.group(1))
        return shown, shown - unit, shown
    if match := _DAY_WORD.match(text):
        when = local_now.date() - timedelta(days=_DAYS_BACK[match.group(1)])
        shown = _local(when.year, when.month, when.day, int(match.group(2)), int(match.group(3)))
        return shown, shown, shown + _MINUTE
    if match := _MONTH_DAY.match(text):
        month, day = int(match.group(1)), int(match.group(2))
        hour, minute = int(match.group(3) or 0), int(match.group(4) or 0)
        shown = _local(local_now.year, month, day, hour, minute)
        if shown > fetched:
            shown = _local(local_now.year - 1, month, day, hour, minute)
        return shown, shown, shown + (_MINUTE if match.group(3) else _DAY)
    if match := _FULL_DATE.match(text):
        parts = [int(g) for g in match.groups() if g is not None]
        shown = _local(*parts)
        return shown, shown, shown + (_DAY if len(parts) == 3 else _MINUTE if len(parts) == 5 else timedelta(seconds=1))
    if (match := _API_TIME.match(text)) and match.group(1).lower() in _MONTHS:
        month_name, day_s, hour_s, minute_s, second_s, sign, off_h, off_m, year_s = match.groups()
        offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (1 if sign == "+" else -1)
        moment = datetime(int(year_s), _MONTHS[month_name.lower()], int(day_s), int(hour_s), int(minute_s),
                          int(second_s), tzinfo=timezone(offset))
        return moment.astimezone(UTC)
    return parse_feed_time(text)  # anything else a feed might write (ISO 8601, RFC 822, …)


def parse_weibo_time(raw: object, fetched_at: datetime, mid: object = None) -> datetime | None:
    """UTC time of a Weibo `created_at`; None if it cannot be read.

    Where it shows only a day or a relative time (MM-DD, 昨天 HH:MM, N小时前 …), the second
    encoded in the post's `mid` is used when it lies within what is shown (docs/contract.md §5.2)."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        shown = _shown(raw.strip(), as_utc(fetched_at))
    except (ValueError, OverflowError):  # 02-30, 25:00, a timedelta out of range …
        return None
    if not isinstance(shown, tuple):
        return shown
    moment, earliest, latest = shown
    exact = mid_time(mid)
    if exact is not None and earliest - _SLACK <= exact <= latest + _SLACK:
        return exact
    return moment
